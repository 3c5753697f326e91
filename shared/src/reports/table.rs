//! What every report is shown as: titled sections of one table and at most
//! one chart each, and the same facts as CSV rows for a pivot table.
//!
//! A report's computation (one module per report) fills these; the tablet
//! draws them, the print view prints them and [`csv`] writes them, so a new
//! report needs no screen or export code of its own. Wording is never stored
//! here: a [`Label`] names a message the caller translates.

use serde::{Deserialize, Serialize};

/// A message of the `report_` family of the locale files: `kind_complaint`
/// is `report_kind_complaint` in `frontend/locales/*.json`.
pub type Label = String;

/// One section of a report: a titled table, and a chart of some of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Stable within its report: a test id and the CSV's `section`.
    pub id: String,
    pub title: Label,
    pub table: Table,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<Chart>,
}

/// Rows of facts. The first [`Table::keys`] columns say what a row is about
/// (a zone, a staff member, a kind); the others are its measures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub columns: Vec<Label>,
    /// How many leading columns identify the row (1 or 2); the rest measure it.
    pub keys: usize,
    pub rows: Vec<Vec<Cell>>,
}

/// One value of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Cell {
    /// Shown as written: a zone's or a person's name, a unit.
    Text(String),
    /// A message to translate (a kind, a channel, "whole site").
    Label(Label),
    Count(u64),
    /// A share in percent, 0–100; `None` when nothing was there to share (n/a).
    Percent(Option<f64>),
    /// A duration in minutes; `None` when there was nothing to measure.
    Minutes(Option<f64>),
    /// A plain number with one decimal (a score, a rate per 100 households).
    Number(Option<f64>),
    /// A site-local day, `YYYY-MM-DD`.
    Date(String),
}

/// A bar chart of one series, with an optional target line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub title: Label,
    /// The top of the y axis.
    pub max: f64,
    /// A target or pass mark, drawn as a dashed line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Whether bars under the target are bad (scores, on-time rates) or bars
    /// over it are (complaints per 100 households).
    pub higher_is_better: bool,
    pub points: Vec<Point>,
}

/// One bar: its label on the x axis (a month `YYYY-MM` or a day `DD`), and
/// its value (`None`: nothing that month, drawn as a gap).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
}

impl Table {
    pub fn new(keys: usize, columns: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|column| column.to_string()).collect(),
            keys,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(
            row.len(),
            self.columns.len(),
            "a row has one cell per column"
        );
        self.rows.push(row);
    }
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    pub fn label(label: impl Into<String>) -> Cell {
        Cell::Label(label.into())
    }

    pub fn count(count: usize) -> Cell {
        Cell::Count(count as u64)
    }

    /// `part` of `whole` in percent, n/a when `whole` is 0.
    pub fn share(part: usize, whole: usize) -> Cell {
        Cell::Percent(percent(part, whole))
    }
}

/// `part` of `whole` in percent, `None` when `whole` is 0.
pub fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// The value of a sorted sample at quantile `q` (0–1), nearest rank; `None`
/// for an empty sample. Medians and 90th percentiles of response times.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// What one CSV line is about: the report, its month and zone (or the whole
/// site), then the fact.
pub struct CsvHeading<'a> {
    pub report: &'a str,
    pub month: &'a str,
    pub zone: &'a str,
}

/// The sections as CSV for Excel: UTF-8 with a byte-order mark, CRLF lines,
/// one line per fact (a row's keys, one measure and its value), so a pivot
/// table can be built on it directly. `translate` gives the wording of a
/// [`Label`] (and of the column names `csv_*`).
pub fn csv(
    heading: &CsvHeading<'_>,
    sections: &[Section],
    translate: &dyn Fn(&str) -> String,
) -> String {
    let mut out = String::from("\u{feff}");
    let header = [
        "csv_report",
        "csv_month",
        "csv_zone",
        "csv_section",
        "csv_key",
        "csv_subkey",
        "csv_measure",
        "csv_value",
    ]
    .map(translate);
    push_line(&mut out, header.iter().map(String::as_str));
    let report = translate(heading.report);
    for section in sections {
        let title = translate(&section.title);
        let table = &section.table;
        let keys = table.keys.min(table.columns.len());
        for row in &table.rows {
            let key_texts: Vec<String> = row
                .iter()
                .take(keys)
                .map(|cell| cell_text(cell, translate))
                .collect();
            let key = key_texts.first().cloned().unwrap_or_default();
            let subkey = key_texts
                .get(1..)
                .map(|rest| rest.join(" / "))
                .unwrap_or_default();
            for (column, cell) in table.columns.iter().zip(row).skip(keys) {
                let measure = translate(column);
                let value = cell_text(cell, translate);
                push_line(
                    &mut out,
                    [
                        report.as_str(),
                        heading.month,
                        heading.zone,
                        title.as_str(),
                        key.as_str(),
                        subkey.as_str(),
                        measure.as_str(),
                        value.as_str(),
                    ]
                    .into_iter(),
                );
            }
        }
    }
    out
}

/// A cell as CSV shows it: numbers without units (so Excel sums them), n/a empty.
fn cell_text(cell: &Cell, translate: &dyn Fn(&str) -> String) -> String {
    let number = |value: &Option<f64>| value.map(|value| format!("{value:.1}")).unwrap_or_default();
    match cell {
        Cell::Text(text) | Cell::Date(text) => text.clone(),
        Cell::Label(label) => translate(label),
        Cell::Count(count) => count.to_string(),
        Cell::Percent(value) | Cell::Minutes(value) | Cell::Number(value) => number(value),
    }
}

fn push_line<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            out.push(',');
        }
        // A leading = + - @ would make Excel run the field as a formula.
        let field = if field.starts_with(['=', '+', '-', '@']) && field.parse::<f64>().is_err() {
            format!("'{field}")
        } else {
            field.to_owned()
        };
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let sample = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(quantile(&sample, 0.5), Some(5.0));
        assert_eq!(quantile(&sample, 0.9), Some(9.0));
        assert_eq!(quantile(&[7.0], 0.9), Some(7.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(percent(1, 4), Some(25.0));
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn csv_has_one_line_per_fact_with_a_bom_and_quoting() {
        let mut table = Table::new(1, &["zone", "count", "share"]);
        table.push(vec![
            Cell::text("一区, 北"),
            Cell::Count(3),
            Cell::Percent(None),
        ]);
        table.push(vec![
            Cell::label("whole_site"),
            Cell::Count(5),
            Cell::Percent(Some(62.5)),
        ]);
        let sections = [Section {
            id: "by_zone".into(),
            title: "by_zone".into(),
            table,
            chart: None,
        }];
        let heading = CsvHeading {
            report: "complaints",
            month: "2026-11",
            zone: "=cmd",
        };
        let text = csv(&heading, &sections, &|label| format!("<{label}>"));
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with('\u{feff}'));
        assert_eq!(
            lines.len(),
            1 + 4 + 1,
            "header, four facts, and the final line break"
        );
        assert_eq!(
            lines[1],
            "<complaints>,2026-11,'=cmd,<by_zone>,\"一区, 北\",,<count>,3"
        );
        assert_eq!(
            lines[2],
            "<complaints>,2026-11,'=cmd,<by_zone>,\"一区, 北\",,<share>,"
        );
        assert_eq!(
            lines[4],
            "<complaints>,2026-11,'=cmd,<by_zone>,<whole_site>,,<share>,62.5"
        );
    }
}
