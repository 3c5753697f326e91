//! The one write path of the tablet: a feature's edit is stored durably
//! ([`Library::edit`]), then sync is told, which sends it when connected and
//! lets every screen read it again ([`SyncClient::stored`]).
//!
//! Feature modules ([`crate::patrol`], [`crate::requests`], ...) write through
//! a [`Writer`]; screens only call those features. This module must not
//! know what a document holds, nor show anything.

use std::rc::Rc;

use automerge::Automerge;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::{put, DocKey, Record, SchemaError};

use crate::documents::{EditError, Library};
use crate::sync::SyncClient;

/// The tablet's documents, for writing. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    library: Rc<Library>,
    /// Told of every stored change; `None` only in tests, which sync nothing.
    sync: Option<SyncClient>,
}

impl Writer {
    pub fn new(library: Rc<Library>, sync: SyncClient) -> Writer {
        Writer {
            library,
            sync: Some(sync),
        }
    }

    /// A writer whose changes are only stored (feature tests).
    #[cfg(test)]
    pub fn offline(library: &Rc<Library>) -> Writer {
        Writer {
            library: library.clone(),
            sync: None,
        }
    }

    /// The documents, for reading and for holding more of them.
    pub fn library(&self) -> &Rc<Library> {
        &self.library
    }

    /// Makes a local change durably (see [`Library::edit`]), then tells sync.
    /// A refused or failed edit changed nothing, so nobody is told.
    pub async fn edit<R, E>(
        &self,
        id: DocumentId,
        edit: impl FnOnce(&mut Automerge) -> Result<R, E>,
    ) -> Result<R, EditError<E>> {
        let result = self.library.edit(id, edit).await?;
        if let Some(sync) = &self.sync {
            sync.stored(id);
        }
        Ok(result)
    }

    /// Puts `record` into `key`'s document durably, making the document on
    /// this tablet first if it has none yet (the first loan of a month, the
    /// first visitor of a day). `refused` says what a refused record means
    /// to the feature.
    pub async fn put_into<R: Record, E>(
        &self,
        key: &DocKey,
        record: &R,
        now: i64,
        refused: impl FnOnce(SchemaError) -> E,
    ) -> Result<(), EditError<E>> {
        self.library
            .add(key.clone())
            .await
            .map_err(EditError::Storage)?;
        self.edit(key.document_id(), |doc| {
            put(doc, record, now).map_err(refused)
        })
        .await
    }

    /// Documents were newly held: ask the server for them.
    pub fn held(&self, ids: &[DocumentId]) {
        if let Some(sync) = &self.sync {
            sync.request(ids);
        }
    }
}
