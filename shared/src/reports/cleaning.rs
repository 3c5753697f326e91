//! The cleaning report of a month (the vendor's score sheet, due the 5th of
//! the next month): each area's score against its weight, the month's total
//! against the pass mark (the month's template threshold) with the
//! two-months-below flag, the rectifications opened, closed and overdue in
//! the month, and the total of the twelve months up to it.
//!
//! Every figure comes from [`crate::score`] (the sheet, finality and the
//! threshold streak) and the template a month is pinned to
//! ([`crate::score::month_template`]), exactly as the tablet's cleaning
//! screens show them: nothing is scored here. Site-wide: `scope.zones` is
//! ignored. What it must not do: read anything but what [`needs`] lists (no
//! I/O, no clock: `scope.now` is the time).

use super::table::{Cell, Chart, Point, Section, Table};
use super::{Documents, Month, Scope};
use crate::schema::cleaning::{self, Rectification, Template};
use crate::schema::copy::RecordCopy;
use crate::schema::DocKey;
use crate::score::{self, Sheet};

/// Months of the trend.
pub const TREND_MONTHS: usize = 12;

/// The cleaning setup (templates) and the twelve months up to the month.
pub fn needs(scope: &Scope) -> Vec<DocKey> {
    let mut keys = vec![DocKey::cleaning_setup(&scope.site)];
    keys.extend(
        scope
            .month
            .trailing(TREND_MONTHS)
            .into_iter()
            .map(|month| DocKey::cleaning_month(&scope.site, month.first_day())),
    );
    keys
}

/// One month as scored.
struct Scored {
    month: Month,
    template: Template,
    sheet: Sheet,
    rectifications: Vec<Rectification>,
    is_final: bool,
}

pub fn build(scope: &Scope, documents: &mut dyn Documents) -> Vec<Section> {
    let mut setup: Option<RecordCopy> = None;
    documents.with(&DocKey::cleaning_setup(&scope.site), &mut |doc| {
        setup = Some(doc.to_copy());
    });
    let now = scope.now;
    let months: Vec<Scored> = scope
        .month
        .trailing(TREND_MONTHS)
        .into_iter()
        .map(|month| {
            let key = DocKey::cleaning_month(&scope.site, month.first_day());
            let mut read = None;
            documents.with(&key, &mut |doc| {
                read = Some((
                    cleaning::month_template_id(doc),
                    cleaning::inspections(doc).unwrap_or_default(),
                    cleaning::marks(doc).unwrap_or_default(),
                    cleaning::rectifications(doc).unwrap_or_default(),
                    cleaning::is_locked(doc),
                ));
            });
            let (pinned, inspections, marks, rectifications, locked) = read.unwrap_or_default();
            let template = score::month_template(setup.as_ref(), pinned.as_deref());
            let sheet = score::month_sheet(&template, &inspections, &marks);
            Scored {
                month,
                is_final: score::month_is_final(month.first_day(), now, locked),
                template,
                sheet,
                rectifications,
            }
        })
        .collect();
    let flags = score::month_flags(
        &months
            .iter()
            .map(|m| (m.sheet.total, m.template.threshold(), m.is_final))
            .collect::<Vec<_>>(),
    );
    let this = months.last().expect("the trend holds the month");

    let mut by_area = Table::new(
        1,
        &[
            "col_area",
            "col_weight",
            "col_inspections",
            "col_deductions",
            "col_score",
            "col_score_rate",
        ],
    );
    for area in &this.sheet.areas {
        let name = this
            .template
            .area(&area.area_id)
            .map_or(area.area_id.clone(), |a| a.name_zh.clone());
        by_area.push(vec![
            Cell::text(name),
            Cell::Count(u64::from(area.weight)),
            Cell::count(area.inspections),
            Cell::Count(u64::from(area.deductions)),
            Cell::Number(area.score),
            Cell::Percent(
                area.score
                    .filter(|_| area.weight > 0)
                    .map(|score| score * 100.0 / f64::from(area.weight)),
            ),
        ]);
    }

    let mut summary = Table::new(
        1,
        &["col_month", "col_total", "col_pass_mark", "col_status"],
    );
    let mut trend = Table::new(
        1,
        &["col_month", "col_total", "col_pass_mark", "col_status"],
    );
    let mut points = Vec::new();
    for (scored, (below, streak)) in months.iter().zip(&flags) {
        let row = vec![
            Cell::text(scored.month.to_string()),
            Cell::Number(scored.sheet.total),
            Cell::Number(Some(scored.template.threshold())),
            Cell::label(status(scored, *below, *streak)),
        ];
        if scored.month == this.month {
            summary.push(row.clone());
        }
        trend.push(row);
        points.push(Point {
            label: scored.month.to_string(),
            value: scored.sheet.total,
        });
    }

    // Rectifications: opened or closed in the month, and those still open
    // past their deadline at the cutoff, from every month held (each lives
    // in the month of its inspection).
    let (start, cutoff) = (scope.month.start(), scope.cutoff());
    let in_month = |at: i64| (start..cutoff).contains(&at);
    let mut rectifications = Table::new(
        1,
        &[
            "col_area",
            "col_rectifications_opened",
            "col_rectifications_closed",
            "col_rectifications_overdue",
        ],
    );
    let all: Vec<&Rectification> = months.iter().flat_map(|m| &m.rectifications).collect();
    let mut totals = [0usize; 3];
    let counts = |area: Option<&str>| {
        let of_area = all
            .iter()
            .filter(|r| area.is_none_or(|area| r.area_id == area));
        let opened = of_area.clone().filter(|r| in_month(r.opened_at)).count();
        let closed = of_area
            .clone()
            .filter(|r| !r.is_open() && in_month(r.closed_at))
            .count();
        let overdue = of_area
            .filter(|r| r.opened_at < cutoff && r.is_overdue(cutoff))
            .count();
        [opened, closed, overdue]
    };
    for area in &this.template.areas {
        let figures = counts(Some(&area.id));
        for (total, figure) in totals.iter_mut().zip(figures) {
            *total += figure;
        }
        rectifications.push(vec![
            Cell::text(&area.name_zh),
            Cell::count(figures[0]),
            Cell::count(figures[1]),
            Cell::count(figures[2]),
        ]);
    }
    // Areas no longer in the template still count in the total.
    let all_figures = counts(None);
    rectifications.push(vec![
        Cell::label("total"),
        Cell::count(all_figures[0]),
        Cell::count(all_figures[1]),
        Cell::count(all_figures[2]),
    ]);

    let chart = Chart {
        title: "chart_cleaning_total".into(),
        max: 100.0,
        target: Some(this.template.threshold()),
        higher_is_better: true,
        points,
    };
    vec![
        section("summary", summary, None),
        section("by_area", by_area, None),
        section("rectifications", rectifications, None),
        section("trend", trend, Some(chart)),
    ]
}

/// A month's verdict: not assessed, provisional (still in progress and not
/// signed), passed, below the pass mark, or the second month in a row below.
fn status(scored: &Scored, below: bool, streak: bool) -> &'static str {
    if scored.sheet.total.is_none() {
        "status_not_assessed"
    } else if !scored.is_final {
        "status_provisional"
    } else if streak {
        "status_two_months_below"
    } else if below {
        "status_below"
    } else {
        "status_passed"
    }
}

fn section(id: &str, table: Table, chart: Option<Chart>) -> Section {
    Section {
        id: id.into(),
        title: format!("section_cleaning_{id}"),
        table,
        chart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::instant_at;
    use crate::schema::cleaning::{
        inspection_id, mark_id, publish_template, put_inspection, put_mark, put_rectification,
        rectification_id, Area, Inspection, Item, Mark, KIND_ROUTINE, OUTCOME_DEDUCTED,
        OUTCOME_FULL, OUTCOME_NA, STATUS_CLOSED, STATUS_OPEN,
    };
    use automerge::Automerge;
    use chrono::NaiveDate;
    use std::collections::BTreeMap;

    const SITE: &str = "demo";

    fn item(id: &str, max_score: u32) -> Item {
        Item {
            id: id.into(),
            name_zh: id.into(),
            name_en: id.into(),
            standard_zh: "干净".into(),
            standard_en: "clean".into(),
            max_score,
        }
    }

    /// Lobby (a 30, b 30) and garden (c 40); pass mark 90.
    fn template() -> Template {
        let area = |id: &str, zh: &str, items| Area {
            id: id.into(),
            name_zh: zh.into(),
            name_en: id.into(),
            items,
            place_zh: String::new(),
            place_en: String::new(),
        };
        Template {
            id: "tpl-test".into(),
            version: 1,
            published_at: instant_at(date(2026, 1, 1), 0),
            published_by: "env".into(),
            areas: vec![
                area("lobby", "大堂", vec![item("a", 30), item("b", 30)]),
                area("garden", "绿化", vec![item("c", 40)]),
            ],
            threshold: Some(90),
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn inspect(doc: &mut Automerge, area: &str, day: NaiveDate, marks: &[(&str, &str, u32)]) {
        let id = inspection_id(area, day);
        let at = instant_at(day, 10 * 60);
        put_inspection(
            doc,
            &Inspection {
                id: id.clone(),
                area_id: area.into(),
                date: day.format("%Y-%m-%d").to_string(),
                template_id: "tpl-test".into(),
                kind: KIND_ROUTINE.into(),
                rectification_id: String::new(),
                started_by: "env".into(),
                started_by_name: "env".into(),
                device: "tablet".into(),
                started_at: at,
            },
        )
        .unwrap();
        let template = template();
        for (item, outcome, deduction) in marks {
            let max = template.item(area, item).unwrap().max_score;
            put_mark(
                doc,
                &Mark {
                    id: mark_id(&id, item, "env"),
                    inspection_id: id.clone(),
                    area_id: area.into(),
                    item_id: (*item).into(),
                    by: "env".into(),
                    by_name: "env".into(),
                    device: "tablet".into(),
                    at,
                    outcome: (*outcome).into(),
                    deduction: *deduction,
                    reason: if *outcome == OUTCOME_DEDUCTED {
                        "地面有垃圾".into()
                    } else {
                        String::new()
                    },
                    photos: Vec::new(),
                },
                max,
            )
            .unwrap();
        }
    }

    fn rectification(
        area: &str,
        item: &str,
        day: NaiveDate,
        closed_on: Option<NaiveDate>,
    ) -> Rectification {
        let inspection = inspection_id(area, day);
        Rectification {
            id: rectification_id(&inspection, item),
            inspection_id: inspection,
            area_id: area.into(),
            item_id: item.into(),
            reason: "地面有垃圾".into(),
            opened_at: instant_at(day, 11 * 60),
            deadline: cleaning::default_deadline(day),
            status: if closed_on.is_some() {
                STATUS_CLOSED
            } else {
                STATUS_OPEN
            }
            .into(),
            reinspection_id: closed_on.map_or(String::new(), |d| inspection_id(area, d)),
            closed_at: closed_on.map_or(0, |d| instant_at(d, 9 * 60)),
            result_note: String::new(),
        }
    }

    #[test]
    fn scores_streak_rectifications_and_trend() {
        let mut docs: BTreeMap<DocKey, Automerge> = BTreeMap::new();
        let setup_key = DocKey::cleaning_setup(SITE);
        let mut setup = setup_key.genesis();
        publish_template(&mut setup, &template()).unwrap();
        docs.insert(setup_key, setup);

        // October: lobby 49 of 60, garden 40 of 40: 89.0, below 90.
        let october = DocKey::cleaning_month(SITE, date(2026, 10, 1));
        let mut doc = october.genesis();
        inspect(
            &mut doc,
            "lobby",
            date(2026, 10, 10),
            &[("a", OUTCOME_DEDUCTED, 11), ("b", OUTCOME_FULL, 0)],
        );
        inspect(
            &mut doc,
            "garden",
            date(2026, 10, 10),
            &[("c", OUTCOME_FULL, 0)],
        );
        // Opened 31 October 10:00 (deadline 2 November 18:00), closed 1 November.
        let late_october = rectification("lobby", "a", date(2026, 10, 31), Some(date(2026, 11, 1)));
        put_rectification(&mut doc, &late_october, late_october.opened_at).unwrap();
        docs.insert(october, doc);

        // November: two lobby inspections, one with b not applicable
        // (a 24/30 = 0.8; then a 30 + b 18 of 60 = 0.8): 48 of 60; garden
        // not assessed. Total 48 / 60 → 80.0, below 90.
        let november = DocKey::cleaning_month(SITE, date(2026, 11, 1));
        let mut doc = november.genesis();
        inspect(
            &mut doc,
            "lobby",
            date(2026, 11, 3),
            &[("a", OUTCOME_DEDUCTED, 6), ("b", OUTCOME_NA, 0)],
        );
        inspect(
            &mut doc,
            "lobby",
            date(2026, 11, 20),
            &[("a", OUTCOME_FULL, 0), ("b", OUTCOME_DEDUCTED, 12)],
        );
        let overdue = rectification("lobby", "a", date(2026, 11, 3), None);
        let closed = rectification("lobby", "b", date(2026, 11, 20), Some(date(2026, 11, 21)));
        // Opened at 11:00 on the last day: its deadline is in December.
        let recent = rectification("garden", "c", date(2026, 11, 30), None);
        for r in [&overdue, &closed, &recent] {
            put_rectification(&mut doc, r, r.opened_at).unwrap();
        }
        docs.insert(november, doc);

        let month: Month = "2026-11".parse().unwrap();
        let scope = Scope {
            site: SITE.into(),
            month,
            zones: Vec::new(),
            now: instant_at(date(2026, 12, 2), 9 * 60),
            heads: Vec::new(),
        };
        assert_eq!(needs(&scope).len(), 1 + 12);
        let sections = build(&scope, &mut docs);
        let table = |id: &str| sections.iter().find(|s| s.id == id).unwrap().clone();

        assert_eq!(
            table("summary").table.rows,
            vec![vec![
                Cell::text("2026-11"),
                Cell::Number(Some(80.0)),
                Cell::Number(Some(90.0)),
                Cell::label("status_two_months_below"),
            ]]
        );
        assert_eq!(
            table("by_area").table.rows,
            vec![
                vec![
                    Cell::text("大堂"),
                    Cell::Count(60),
                    Cell::Count(2),
                    Cell::Count(18),
                    Cell::Number(Some(48.0)),
                    Cell::Percent(Some(80.0)),
                ],
                vec![
                    Cell::text("绿化"),
                    Cell::Count(40),
                    Cell::Count(0),
                    Cell::Count(0),
                    Cell::Number(None),
                    Cell::Percent(None),
                ],
            ]
        );
        let rect = table("rectifications").table;
        assert_eq!(
            rect.rows[0],
            vec![
                Cell::text("大堂"),
                Cell::Count(2),
                Cell::Count(2),
                Cell::Count(1)
            ]
        );
        assert_eq!(
            rect.rows[2],
            vec![
                Cell::label("total"),
                Cell::Count(3),
                Cell::Count(2),
                Cell::Count(1)
            ]
        );

        let trend = table("trend");
        assert_eq!(trend.table.rows.len(), 12);
        assert_eq!(trend.table.rows[10][3], Cell::label("status_below"));
        assert_eq!(trend.table.rows[9][3], Cell::label("status_not_assessed"));
        let chart = trend.chart.unwrap();
        assert_eq!(chart.target, Some(90.0));
        assert_eq!(chart.points[10].value, Some(89.0));
        assert_eq!(chart.points[11].label, "2026-11");

        // A month still in progress is provisional, not below.
        let in_progress = Scope {
            now: instant_at(date(2026, 11, 25), 9 * 60),
            heads: Vec::new(),
            ..scope.clone()
        };
        let sections = build(&in_progress, &mut docs);
        assert_eq!(
            sections[0].table.rows[0][3],
            Cell::label("status_provisional")
        );
    }
}
