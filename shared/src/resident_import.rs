//! Importing a zone's resident directory from a CSV file: every row is
//! checked first, and either every row is imported or none is, with each bad
//! row reported by its line number and a reason code the tablet translates.
//!
//! Accepted: UTF-8 (with or without a byte-order mark) or GBK/GB18030 (what
//! Excel on Chinese Windows saves as "CSV"), see [`decode`]; a header row naming
//! the columns in Chinese or English — 楼栋/building, 单元/entrance,
//! 房号/room, 姓名/name, 电话/phone, 关系/relation (optional: 业主/owner,
//! 租户/tenant, 家属/family, 其他/other). Pure: no I/O.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::schema::resident::{normalise, resident_id, unit_id, Resident, Unit, RELATIONS};

/// Largest file accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Most rows accepted in one file.
pub const MAX_ROWS: usize = 5_000;

/// Why a row (or the file) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowProblem {
    MissingBuilding,
    MissingRoom,
    MissingName,
    BadPhone,
    BadRelation,
    TooLong,
    /// The same unit and name appear twice in the file.
    Duplicate,
    /// The row has a different number of fields than the header.
    BadShape,
}

impl RowProblem {
    /// Stable word for logs and test ids.
    pub fn as_str(self) -> &'static str {
        match self {
            RowProblem::MissingBuilding => "missing_building",
            RowProblem::MissingRoom => "missing_room",
            RowProblem::MissingName => "missing_name",
            RowProblem::BadPhone => "bad_phone",
            RowProblem::BadRelation => "bad_relation",
            RowProblem::TooLong => "too_long",
            RowProblem::Duplicate => "duplicate",
            RowProblem::BadShape => "bad_shape",
        }
    }
}

/// Why a file was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    TooLarge,
    TooManyRows,
    /// Neither UTF-8 nor GBK/GB18030: a byte sequence neither can read.
    BadEncoding,
    /// The header lacks a required column (its English name).
    MissingColumn(&'static str),
    Empty,
    /// Some rows are bad: (line number in the file, problem), in file order.
    Rows(Vec<(usize, RowProblem)>),
}

/// What a good file holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Directory {
    pub units: Vec<Unit>,
    pub residents: Vec<Resident>,
}

fn column(header: &str) -> Option<&'static str> {
    match normalise(header).to_lowercase().as_str() {
        "楼栋" | "楼号" | "building" => Some("building"),
        "单元" | "entrance" => Some("entrance"),
        "房号" | "房间" | "room" => Some("room"),
        "姓名" | "住户" | "name" => Some("name"),
        "电话" | "手机" | "联系电话" | "phone" => Some("phone"),
        "关系" | "relation" => Some("relation"),
        _ => None,
    }
}

fn relation(text: &str) -> Option<&'static str> {
    match normalise(text).to_lowercase().as_str() {
        "" | "业主" | "owner" => Some("owner"),
        "租户" | "tenant" => Some("tenant"),
        "家属" | "family" => Some("family"),
        "其他" | "other" => Some("other"),
        word => RELATIONS.iter().copied().find(|r| *r == word),
    }
}

/// A file's text: UTF-8 if the whole file is UTF-8 (a byte-order mark
/// dropped), else GB18030, which includes GBK — what Excel on Chinese
/// Windows writes for "CSV (逗号分隔)". Both decoders are strict: bytes that
/// neither can read refuse the file ([`ImportError::BadEncoding`]) instead of
/// turning into U+FFFD inside a name.
///
/// Chinese text in GBK is practically never valid UTF-8 (GBK's two-byte
/// characters do not follow UTF-8's lead and continuation pattern), and
/// ASCII reads the same in both, so trying UTF-8 first cannot misread a GBK
/// file that has Chinese in it.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ImportError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    let text = encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(ImportError::BadEncoding)?;
    // GB18030's own byte-order mark (84 31 95 33) reads as U+FEFF.
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => Cow::Owned(rest.to_owned()),
        None => text,
    })
}

/// Parses and checks a whole file.
pub fn parse(bytes: &[u8]) -> Result<Directory, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = decode(bytes)?;
    // A file this app exported starts with the personal-data line.
    let marked = usize::from(text.starts_with('#'));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|_| ImportError::Empty)?.clone();
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    for (index, header) in headers.iter().enumerate() {
        if let Some(name) = column(header) {
            at.entry(name).or_insert(index);
        }
    }
    for required in ["building", "room", "name"] {
        if !at.contains_key(required) {
            return Err(ImportError::MissingColumn(required));
        }
    }
    let mut directory = Directory::default();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        if index >= MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        // Line 1 is the header (line 2 after the personal-data line).
        let line = index + 2 + marked;
        let Ok(record) = record else {
            problems.push((line, RowProblem::BadShape));
            continue;
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != headers.len() {
            problems.push((line, RowProblem::BadShape));
            continue;
        }
        let field = |name: &str| {
            at.get(name)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .trim()
        };
        let (building, entrance, room) = (field("building"), field("entrance"), field("room"));
        let (name, phone) = (field("name"), field("phone"));
        let problem = if building.is_empty() {
            Some(RowProblem::MissingBuilding)
        } else if room.is_empty() {
            Some(RowProblem::MissingRoom)
        } else if name.is_empty() {
            Some(RowProblem::MissingName)
        } else if [building, entrance, room]
            .iter()
            .any(|t| t.chars().count() > 16)
            || name.chars().count() > 32
        {
            Some(RowProblem::TooLong)
        } else if !phone.is_empty() && !crate::domain::is_resident_phone(phone) {
            Some(RowProblem::BadPhone)
        } else if relation(field("relation")).is_none() {
            Some(RowProblem::BadRelation)
        } else {
            None
        };
        if let Some(problem) = problem {
            problems.push((line, problem));
            continue;
        }
        let unit = unit_id(building, entrance, room);
        let id = resident_id(&unit, name);
        if seen.insert(id.clone(), line).is_some() {
            problems.push((line, RowProblem::Duplicate));
            continue;
        }
        if !directory.units.iter().any(|u| u.id == unit) {
            directory.units.push(Unit {
                id: unit.clone(),
                building: normalise(building),
                entrance: normalise(entrance),
                room: normalise(room),
                retired: false,
            });
        }
        directory.residents.push(Resident {
            id,
            unit_id: unit,
            name: name.to_owned(),
            phone: phone.to_owned(),
            relation: relation(field("relation")).unwrap_or("owner").to_owned(),
            retired: false,
        });
    }
    if !problems.is_empty() {
        return Err(ImportError::Rows(problems));
    }
    if directory.residents.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(directory)
}

/// The file offered to fill in on the import screen: the header row and one
/// example row, in UTF-8 with a byte-order mark so that Excel opens it with
/// the Chinese text intact (without the mark it guesses the system's GBK).
pub fn template() -> Vec<u8> {
    "\u{feff}楼栋,单元,房号,姓名,电话,关系\r\n3栋,2,501,张三,13800000000,业主\r\n"
        .as_bytes()
        .to_vec()
}

/// The directory as CSV for export, phone numbers masked.
pub fn export(units: &[Unit], residents: &[Resident]) -> String {
    let mut out = format!(
        "{}\n楼栋,单元,房号,姓名,电话,关系\n",
        crate::domain::PERSONAL_DATA_LINE
    );
    for unit in units.iter().filter(|u| !u.retired) {
        for resident in residents
            .iter()
            .filter(|r| r.unit_id == unit.id && !r.retired)
        {
            let cells = [
                unit.building.as_str(),
                unit.entrance.as_str(),
                unit.room.as_str(),
                resident.name.as_str(),
                &crate::domain::mask_phone(&resident.phone),
                resident.relation.as_str(),
            ];
            let line: Vec<String> = cells
                .iter()
                .map(|cell| {
                    if cell.contains([',', '"', '\n']) {
                        format!("\"{}\"", cell.replace('"', "\"\""))
                    } else {
                        (*cell).to_owned()
                    }
                })
                .collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\u{feff}楼栋,单元,房号,姓名,电话,关系\n3栋,2,501,张伟,13812345678,业主\n3栋,2,501,李娜,,家属\n10栋,1,1201,王芳,0755-8888 1234,租户\n";

    #[test]
    fn a_good_file_with_a_bom_and_chinese_headers_imports_every_row() {
        let directory = parse(GOOD.as_bytes()).unwrap();
        assert_eq!(directory.units.len(), 2, "two residents share unit 501");
        assert_eq!(directory.residents.len(), 3);
        assert_eq!(directory.units[0].label(), "3栋2单元501");
        assert_eq!(directory.residents[2].relation, "tenant");
    }

    #[test]
    fn english_headers_and_any_column_order_work() {
        let file = "name,phone,room,building\nAnna,13900001111,302,7\n";
        let directory = parse(file.as_bytes()).unwrap();
        assert_eq!(directory.units[0].label(), "7栋302");
    }

    #[test]
    fn every_bad_row_is_reported_and_nothing_is_imported() {
        let file = "楼栋,单元,房号,姓名,电话\n\
                    3栋,2,501,张伟,13812345678\n\
                    ,2,502,缺楼栋,13812345678\n\
                    3栋,2,503,电话错,call-me\n\
                    3栋,2,501,张伟,13900000000\n\
                    3栋,2\n\
                    3栋,2,504,,13812345678\n";
        assert_eq!(
            parse(file.as_bytes()),
            Err(ImportError::Rows(vec![
                (3, RowProblem::MissingBuilding),
                (4, RowProblem::BadPhone),
                (5, RowProblem::Duplicate),
                (6, RowProblem::BadShape),
                (7, RowProblem::MissingName),
            ]))
        );
    }

    #[test]
    fn whole_file_problems() {
        assert_eq!(
            parse("姓名,电话\n张伟,1\n".as_bytes()),
            Err(ImportError::MissingColumn("building"))
        );
        assert_eq!(
            parse("楼栋,房号,姓名\n".as_bytes()),
            Err(ImportError::Empty)
        );
        assert_eq!(
            parse(&vec![b'a'; MAX_BYTES + 1]),
            Err(ImportError::TooLarge)
        );
    }

    #[test]
    fn a_gbk_file_from_excel_on_chinese_windows_imports() {
        // "楼栋,房号,姓名\r\n" and "张伟" as GBK bytes, written out by hand.
        let mut file = b"\xc2\xa5\xb6\xb0,\xb7\xbf\xba\xc5,\xd0\xd5\xc3\xfb\r\n".to_vec();
        file.extend_from_slice(b"3,501,\xd5\xc5\xce\xb0\r\n");
        assert!(std::str::from_utf8(&file).is_err(), "not UTF-8");
        let directory = parse(&file).unwrap();
        assert_eq!(directory.residents[0].name, "张伟");
        assert_eq!(directory.units[0].label(), "3栋501");

        // The whole sample file, encoded by encoding_rs as Excel would.
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(GOOD.trim_start_matches('\u{feff}'));
        assert!(!unmappable);
        assert_eq!(parse(&gbk), parse(GOOD.as_bytes()));
        let names: Vec<_> = parse(&gbk)
            .unwrap()
            .residents
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["张伟", "李娜", "王芳"]);
        // A GB18030 byte-order mark is dropped like UTF-8's.
        let mut with_bom = b"\x84\x31\x95\x33".to_vec();
        with_bom.extend_from_slice(&gbk);
        assert_eq!(parse(&with_bom), parse(GOOD.as_bytes()));
        // UTF-8 with and without its byte-order mark reads the same.
        assert_eq!(
            parse(GOOD.trim_start_matches('\u{feff}').as_bytes()),
            parse(GOOD.as_bytes())
        );
    }

    #[test]
    fn bytes_that_are_neither_utf8_nor_gbk_refuse_the_file() {
        // 0xFF is never in UTF-8 and never starts a GB18030 character.
        assert_eq!(parse(b"\xff\xfe"), Err(ImportError::BadEncoding));
        // A UTF-8 header, then a row whose name is a GBK lead byte followed
        // by a byte no GBK character has as its second.
        let mut file = "楼栋,房号,姓名\n3栋,501,".as_bytes().to_vec();
        file.extend_from_slice(b"\xd5\x7f\n");
        assert_eq!(parse(&file), Err(ImportError::BadEncoding));
        // A file cut off in the middle of a GBK character.
        assert_eq!(
            parse(b"\xc2\xa5\xb6\xb0,\xb7\xbf\xba\xc5,\xd0\xd5\xc3\xfb\n3,501,\xd5"),
            Err(ImportError::BadEncoding)
        );
    }

    #[test]
    fn the_template_is_utf8_with_a_bom_and_its_example_row_imports() {
        let file = template();
        assert!(file.starts_with(b"\xef\xbb\xbf"), "Excel reads it as UTF-8");
        let directory = parse(&file).unwrap();
        assert_eq!(directory.units.len(), 1);
        assert_eq!(directory.units[0].label(), "3栋2单元501");
        assert_eq!(directory.residents[0].name, "张三");
        assert_eq!(directory.residents[0].relation, "owner");
        // Every column the importer knows, in its Chinese name.
        let header = decode(&file).unwrap().lines().next().unwrap().to_owned();
        for name in ["building", "entrance", "room", "name", "phone", "relation"] {
            assert!(header.split(',').any(|h| column(h) == Some(name)), "{name}");
        }
    }

    #[test]
    fn the_same_file_gives_the_same_ids_and_exports_masked() {
        let one = parse(GOOD.as_bytes()).unwrap();
        let two = parse(GOOD.replace("3栋", "３栋").as_bytes()).unwrap();
        assert_eq!(
            one.units[0].id, two.units[0].id,
            "full-width digits normalised"
        );
        let csv = export(&one.units, &one.residents);
        assert!(csv.contains("138****5678"), "{csv}");
        assert!(!csv.contains("13812345678"));
        // Marked as personal data on its first line, which a reader skips:
        // read back, only the masked phones are refused, each on its line.
        assert!(csv.starts_with(crate::domain::PERSONAL_DATA_LINE));
        let Err(ImportError::Rows(rows)) = parse(csv.as_bytes()) else {
            panic!("masked phones are not importable");
        };
        assert!(rows
            .iter()
            .all(|(_, problem)| *problem == RowProblem::BadPhone));
        assert_eq!(rows[0].0, 3, "line 1 is the mark, line 2 the header");
    }
}
