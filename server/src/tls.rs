//! HTTPS for the accept loop: the certificate the server presents and the
//! rustls acceptor that presents it.
//!
//! Two sources, chosen on the command line:
//! - **Files** (`--tls-cert`, `--tls-key`): a PEM chain and key, for an office
//!   with a domain and a certificate from a public authority.
//! - **Self-signed** (`--tls-self-signed NAMES`): for an office with no
//!   domain. A local certificate authority is made once and kept beside the
//!   database; it issues the server certificate for the names and addresses
//!   given. Tablets trust the authority once (`/install`), so a new server
//!   certificate (other names, or a renewal) needs nothing on the tablets.
//!
//! [`Tls::reload`] reads the source again (on SIGHUP, see `main.rs`): new
//! connections get the new certificate; open ones, syncs included, keep theirs.
//!
//! This module does not accept connections or bound their handshakes
//! (`serve.rs` does), and serves nothing over HTTP (`install.rs` does).

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::crypto::ring as provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use tokio_rustls::TlsAcceptor;

/// How long the local authority is valid: the life of an office's server.
const CA_DAYS: i64 = 20 * 365;
/// A server certificate's life: under the 398 days browsers and iPads accept.
const SERVER_DAYS: i64 = 397;
/// A server certificate this close to its end is issued again at start.
const RENEW_DAYS: i64 = 30;

/// Where the server's certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    Files { cert: PathBuf, key: PathBuf },
    SelfSigned { dir: PathBuf, names: Vec<String> },
}

/// What `/install` and `/ca.crt` tell a tablet about this server's HTTPS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum HttpsSetup {
    /// Plain HTTP only.
    #[default]
    None,
    /// A certificate from files (a public authority, or the office's own).
    Certificate,
    /// The office's local authority, which tablets must trust once.
    LocalAuthority(LocalAuthority),
}

/// The local authority as tablets see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAuthority {
    /// The authority's certificate, PEM.
    pub pem: String,
    /// SHA-256 of its DER, as `AB:CD:…`: what a person compares on the tablet.
    pub fingerprint: String,
    /// SHA-1 of its DER, the same way: the thumbprint Windows shows.
    pub sha1: String,
    /// The names and addresses the server certificate is for.
    pub names: Vec<String>,
}

#[derive(Debug)]
pub enum TlsError {
    Io(PathBuf, io::Error),
    Pem(PathBuf, String),
    Certificate(String),
    Names(String),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Io(path, error) => write!(f, "{}: {error}", path.display()),
            TlsError::Pem(path, why) => write!(f, "{}: {why}", path.display()),
            TlsError::Certificate(why) => write!(f, "certificate: {why}"),
            TlsError::Names(why) => write!(f, "--tls-self-signed: {why}"),
        }
    }
}

impl std::error::Error for TlsError {}

impl From<rcgen::Error> for TlsError {
    fn from(error: rcgen::Error) -> Self {
        TlsError::Certificate(error.to_string())
    }
}

impl From<rustls::Error> for TlsError {
    fn from(error: rustls::Error) -> Self {
        TlsError::Certificate(error.to_string())
    }
}

/// The acceptor and the certificate behind it, which [`Tls::reload`] swaps.
pub struct Tls {
    source: TlsSource,
    current: Arc<Current>,
    acceptor: TlsAcceptor,
    setup: HttpsSetup,
}

impl Tls {
    /// Loads (or, self-signed, makes once) the certificate and builds the
    /// acceptor. HTTP/1.1 only, as the accept loop serves.
    pub fn load(source: TlsSource) -> Result<Tls, TlsError> {
        let (key, setup) = load_source(&source)?;
        let current = Arc::new(Current(RwLock::new(Arc::new(key))));
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(provider::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_no_client_auth()
                .with_cert_resolver(current.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            source,
            current,
            acceptor: TlsAcceptor::from(Arc::new(config)),
            setup,
        })
    }

    /// Reads the source again; on an error the certificate in use stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let (key, _) = load_source(&self.source)?;
        *self.current.0.write().expect("certificate lock") = Arc::new(key);
        Ok(())
    }

    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }

    pub fn setup(&self) -> &HttpsSetup {
        &self.setup
    }
}

/// The certificate new handshakes get.
#[derive(Debug)]
struct Current(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for Current {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.read().expect("certificate lock").clone())
    }
}

fn load_source(source: &TlsSource) -> Result<(CertifiedKey, HttpsSetup), TlsError> {
    match source {
        TlsSource::Files { cert, key } => Ok((certified_key(cert, key)?, HttpsSetup::Certificate)),
        TlsSource::SelfSigned { dir, names } => {
            let files = LocalFiles::in_dir(dir);
            let authority = files.ensure(names)?;
            Ok((
                certified_key(&files.server_cert, &files.server_key)?,
                HttpsSetup::LocalAuthority(authority),
            ))
        }
    }
}

/// A PEM chain (leaf first) and its private key, checked to belong together.
fn certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let chain_pem = read(cert)?;
    let chain = CertificateDer::pem_slice_iter(&chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsError::Pem(cert.to_owned(), error.to_string()))?;
    if chain.is_empty() {
        return Err(TlsError::Pem(
            cert.to_owned(),
            "no certificate in it".into(),
        ));
    }
    let key_der = PrivateKeyDer::from_pem_slice(&read(key)?)
        .map_err(|error| TlsError::Pem(key.to_owned(), error.to_string()))?;
    let signing = provider::sign::any_supported_type(&key_der)?;
    let certified = CertifiedKey::new(chain, signing);
    certified.keys_match()?;
    Ok(certified)
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(|error| TlsError::Io(path.to_owned(), error))
}

fn write_private(path: &Path, text: &str) -> Result<(), TlsError> {
    let io = |error| TlsError::Io(path.to_owned(), error);
    let staged = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&staged).map_err(io)?;
    io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    fs::rename(&staged, path).map_err(io)
}

/// The local authority's and the server certificate's files in their folder.
struct LocalFiles {
    dir: PathBuf,
    ca_cert: PathBuf,
    ca_key: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    /// The names the server certificate is for and when it ends (unix s).
    server_issued: PathBuf,
}

impl LocalFiles {
    fn in_dir(dir: &Path) -> LocalFiles {
        LocalFiles {
            dir: dir.to_owned(),
            ca_cert: dir.join("ca.crt"),
            ca_key: dir.join("ca.key"),
            server_cert: dir.join("server.crt"),
            server_key: dir.join("server.key"),
            server_issued: dir.join("server.issued"),
        }
    }

    /// Makes the authority if there is none, and a server certificate if
    /// there is none for exactly `names` or it ends within [`RENEW_DAYS`].
    fn ensure(&self, names: &[String]) -> Result<LocalAuthority, TlsError> {
        let names = checked_names(names)?;
        fs::create_dir_all(&self.dir).map_err(|error| TlsError::Io(self.dir.clone(), error))?;
        if !self.ca_key.exists() {
            let key = KeyPair::generate()?;
            let mut params = authority_params();
            let now = OffsetDateTime::now_utc();
            params.not_before = now - Duration::days(1);
            params.not_after = now + Duration::days(CA_DAYS);
            let cert = params.self_signed(&key)?;
            write_private(&self.ca_key, &key.serialize_pem())?;
            write_private(&self.ca_cert, &cert.pem())?;
            tracing::info!(dir = %self.dir.display(), "made the office's local certificate authority");
        }
        let ca_pem = String::from_utf8_lossy(&read(&self.ca_cert)?).into_owned();
        let listed = names.join(",");
        let current = fs::read_to_string(&self.server_issued).unwrap_or_default();
        let (issued_for, ends) = current.split_once('\n').unwrap_or(("", ""));
        let ends: i64 = ends.trim().parse().unwrap_or(0);
        let now = OffsetDateTime::now_utc();
        let due = ends < (now + Duration::days(RENEW_DAYS)).unix_timestamp();
        if issued_for != listed || due || !self.server_key.exists() {
            let ca_key_pem = String::from_utf8_lossy(&read(&self.ca_key)?).into_owned();
            let ca_key = KeyPair::from_pem(&ca_key_pem)
                .map_err(|e| TlsError::Pem(self.ca_key.clone(), e.to_string()))?;
            let issuer = Issuer::new(authority_params(), ca_key);
            let key = KeyPair::generate()?;
            let mut params = CertificateParams::new(names.clone())?;
            params
                .distinguished_name
                .push(DnType::CommonName, names[0].clone());
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            params.use_authority_key_identifier_extension = true;
            params.not_before = now - Duration::days(1);
            params.not_after = now + Duration::days(SERVER_DAYS);
            let cert = params.signed_by(&key, &issuer)?;
            write_private(&self.server_key, &key.serialize_pem())?;
            write_private(&self.server_cert, &cert.pem())?;
            write_private(
                &self.server_issued,
                &format!("{listed}\n{}\n", params.not_after.unix_timestamp()),
            )?;
            tracing::info!(names = %listed, "issued the server certificate");
        }
        let der = CertificateDer::from_pem_slice(ca_pem.as_bytes())
            .map_err(|error| TlsError::Pem(self.ca_cert.clone(), error.to_string()))?;
        Ok(LocalAuthority {
            fingerprint: hex_pairs(&Sha256::digest(&der)),
            sha1: hex_pairs(&Sha1::digest(&der)),
            pem: ca_pem,
            names,
        })
    }
}

/// The authority's parameters: the same every time, so an issuer rebuilt
/// from them and the stored key signs as the stored certificate names.
fn authority_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "Roundbook local authority");
    name.push(DnType::OrganizationName, "Roundbook");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

/// Names and addresses for the server certificate: DNS names or IP
/// addresses, at least one, de-duplicated in the order given.
fn checked_names(names: &[String]) -> Result<Vec<String>, TlsError> {
    let mut checked: Vec<String> = Vec::new();
    for name in names.iter().map(|name| name.trim().to_ascii_lowercase()) {
        let valid = name.parse::<std::net::IpAddr>().is_ok()
            || (!name.is_empty()
                && name.len() <= 253
                && name.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }));
        if !valid {
            return Err(TlsError::Names(format!(
                "{name:?} is not a host name or an IP address"
            )));
        }
        if !checked.contains(&name) {
            checked.push(name);
        }
    }
    if checked.is_empty() {
        return Err(TlsError::Names("give at least one name or address".into()));
    }
    Ok(checked)
}

/// A digest as `AB:CD:…`, as certificate dialogs show fingerprints.
fn hex_pairs(digest: &[u8]) -> String {
    digest
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn self_signed_is_made_once_and_reissued_for_other_names() {
        let dir = std::env::temp_dir().join(format!("rb-tls-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let source = |list: &[&str]| TlsSource::SelfSigned {
            dir: dir.clone(),
            names: names(list),
        };
        let first = Tls::load(source(&["roundbook.test", "192.168.1.20"])).unwrap();
        let HttpsSetup::LocalAuthority(authority) = first.setup().clone() else {
            panic!("a local authority");
        };
        assert_eq!(authority.names, names(&["roundbook.test", "192.168.1.20"]));
        assert_eq!(authority.fingerprint.len(), 32 * 3 - 1);
        let server_pem = fs::read(dir.join("server.crt")).unwrap();

        // Again with the same names: nothing is made anew.
        let again = Tls::load(source(&["roundbook.test", "192.168.1.20"])).unwrap();
        assert_eq!(again.setup(), first.setup());
        assert_eq!(fs::read(dir.join("server.crt")).unwrap(), server_pem);

        // Other names: the same authority issues another server certificate.
        let moved = Tls::load(source(&["office.lan"])).unwrap();
        let HttpsSetup::LocalAuthority(moved_authority) = moved.setup().clone() else {
            panic!("a local authority");
        };
        assert_eq!(moved_authority.fingerprint, authority.fingerprint);
        assert_ne!(fs::read(dir.join("server.crt")).unwrap(), server_pem);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_names_and_files_are_refused_with_the_reason() {
        for bad in [
            vec![],
            names(&["bad name"]),
            names(&["a..b"]),
            names(&["x".repeat(64).as_str()]),
        ] {
            assert!(
                matches!(checked_names(&bad), Err(TlsError::Names(_))),
                "{bad:?}"
            );
        }
        let missing = Tls::load(TlsSource::Files {
            cert: "/nonexistent/cert.pem".into(),
            key: "/nonexistent/key.pem".into(),
        });
        assert!(matches!(missing, Err(TlsError::Io(..))));
    }
}
