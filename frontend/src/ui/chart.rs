//! The history chart: one series over months (or days) as inline SVG bars,
//! with a threshold or target drawn as a dashed line: the cleaning score
//! (the total, or one area) and the monthly reports' charts. A point
//! without a value (not assessed, nothing recorded) leaves a gap marked
//! "—". Drawing only: the values come from the score sheet or report
//! computations.
//!
//! Test ids: `history-chart` (the `<svg>`, `data-max`), `history-bar` (one per
//! scored month, `data-month`, `data-value`, `data-below` = "true" when a
//! final month is under the threshold, `data-provisional` for the month in
//! progress), `history-gap` (a month without a score, `data-month`),
//! `history-threshold` (the threshold line, `data-value`).

use leptos::prelude::*;

/// One month's point of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// `YYYY-MM`.
    pub month: String,
    /// The month's short label on the x axis.
    pub label: String,
    /// `None`: no score that month.
    pub value: Option<f64>,
    /// The month is still in progress: its bar is provisional (drawn light
    /// and dashed) and carries no verdict, whatever its value.
    pub provisional: bool,
}

/// What the chart draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The top of the y axis: 100 for the total, the area's weight for an area.
    pub max: f64,
    /// Drawn as a dashed line when set (the total's contract threshold, or the
    /// same fraction of an area's weight).
    pub threshold: Option<f64>,
    /// Whether values under the threshold are the bad ones (scores, on-time
    /// rates) or values over it (complaints per 100 households).
    pub higher_is_better: bool,
    pub points: Vec<Point>,
}

/// The chart's geometry in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    /// Room on the left for the y labels.
    pub left: f64,
    /// Room below for the month labels.
    pub bottom: f64,
    pub top: f64,
}

pub const FRAME: Frame = Frame {
    width: 640.0,
    height: 260.0,
    left: 40.0,
    bottom: 28.0,
    top: 12.0,
};

impl Frame {
    fn plot_height(&self) -> f64 {
        self.height - self.bottom - self.top
    }

    fn plot_width(&self) -> f64 {
        self.width - self.left - 8.0
    }

    /// The y coordinate of `value` on an axis from 0 to `max`; values outside
    /// the axis are clamped to it (a bad input must not draw off the chart).
    pub fn y(&self, value: f64, max: f64) -> f64 {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            100.0
        };
        let value = if value.is_finite() {
            value.clamp(0.0, max)
        } else {
            0.0
        };
        self.top + self.plot_height() * (1.0 - value / max)
    }

    /// The horizontal slot of the `index`th of `count` months: (left x,
    /// width); bars take 70% of a slot.
    pub fn slot(&self, index: usize, count: usize) -> (f64, f64) {
        let count = count.max(1) as f64;
        let width = self.plot_width() / count;
        (self.left + width * index as f64, width)
    }

    /// The bottom of the plot (value 0).
    pub fn base(&self) -> f64 {
        self.height - self.bottom
    }
}

/// One drawn bar: x, y, width, height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// The bar of the `index`th point of `series` (`None` for a gap).
pub fn bar(frame: &Frame, series: &Series, index: usize) -> Option<Bar> {
    let value = series.points.get(index)?.value?;
    let (x, slot) = frame.slot(index, series.points.len());
    let y = frame.y(value, series.max);
    Some(Bar {
        x: x + slot * 0.15,
        y,
        width: slot * 0.7,
        height: frame.base() - y,
    })
}

/// Whether a value is on the wrong side of the threshold (scores are
/// compared as shown, rounded to one decimal, by the score rule itself; this
/// only colours).
fn off_target(value: f64, threshold: Option<f64>, higher_is_better: bool) -> bool {
    threshold.is_some_and(|threshold| {
        if higher_is_better {
            value < threshold
        } else {
            value > threshold
        }
    })
}

/// Formats a score with one decimal.
pub fn one_decimal(value: f64) -> String {
    format!("{value:.1}")
}

#[component]
pub fn HistoryChart(#[prop(into)] series: Signal<Series>) -> impl IntoView {
    let frame = FRAME;
    move || {
        let series = series.get();
        let count = series.points.len();
        let bars = series
            .points
            .iter()
            .enumerate()
            .map(|(index, point)| {
                let (x, slot) = frame.slot(index, count);
                let label_x = x + slot / 2.0;
                let label = view! {
                    <text class="chart-label" x=label_x y=frame.height - 8.0 text-anchor="middle">
                        {point.label.clone()}
                    </text>
                };
                let shape = match (bar(&frame, &series, index), point.value) {
                    (Some(b), Some(value)) => {
                        let under = !point.provisional
                            && off_target(value, series.threshold, series.higher_is_better);
                        let class = if point.provisional {
                            "chart-bar chart-bar-provisional"
                        } else if under {
                            "chart-bar chart-bar-below"
                        } else {
                            "chart-bar"
                        };
                        view! {
                            <rect
                                class=class
                                data-testid="history-bar"
                                data-month=point.month.clone()
                                data-value=one_decimal(value)
                                data-below=under.to_string()
                                data-provisional=point.provisional.to_string()
                                x=b.x
                                y=b.y
                                width=b.width
                                height=b.height
                            >
                                <title>{format!("{} {}", point.month, one_decimal(value))}</title>
                            </rect>
                            <text class="chart-value" x=label_x y=b.y - 3.0 text-anchor="middle">
                                {one_decimal(value)}
                            </text>
                        }
                        .into_any()
                    }
                    _ => view! {
                        <text
                            class="chart-gap"
                            data-testid="history-gap"
                            data-month=point.month.clone()
                            x=label_x
                            y=frame.base() - 4.0
                            text-anchor="middle"
                        >
                            "—"
                        </text>
                    }
                    .into_any(),
                };
                view! { {shape} {label} }
            })
            .collect_view();
        let threshold = series.threshold.map(|value| {
            let y = frame.y(value, series.max);
            view! {
                <line
                    class="chart-threshold"
                    data-testid="history-threshold"
                    data-value=one_decimal(value)
                    x1=frame.left
                    x2=frame.width - 8.0
                    y1=y
                    y2=y
                />
                <text class="chart-axis" x=frame.left - 4.0 y=y + 4.0 text-anchor="end">
                    {one_decimal(value)}
                </text>
            }
        });
        let max = series.max;
        view! {
            <svg
                class="history-chart"
                data-testid="history-chart"
                data-max=one_decimal(max)
                viewBox=format!("0 0 {} {}", frame.width, frame.height)
                role="img"
                preserveAspectRatio="xMidYMid meet"
            >
                <line class="chart-axis-line" x1=frame.left x2=frame.left y1=frame.top y2=frame.base() />
                <line class="chart-axis-line" x1=frame.left x2=frame.width - 8.0 y1=frame.base() y2=frame.base() />
                <text class="chart-axis" x=frame.left - 4.0 y=frame.top + 4.0 text-anchor="end">
                    {one_decimal(max)}
                </text>
                <text class="chart-axis" x=frame.left - 4.0 y=frame.base() text-anchor="end">"0"</text>
                {bars}
                {threshold}
            </svg>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn series(values: &[Option<f64>]) -> Series {
        Series {
            max: 100.0,
            threshold: Some(90.0),
            higher_is_better: true,
            points: values
                .iter()
                .enumerate()
                .map(|(i, value)| Point {
                    month: format!("2026-{:02}", i + 1),
                    label: format!("{}", i + 1),
                    value: *value,
                    provisional: false,
                })
                .collect(),
        }
    }

    #[wasm_bindgen_test]
    fn values_map_onto_the_plot_and_are_clamped() {
        let f = FRAME;
        assert_eq!(f.y(100.0, 100.0), f.top);
        assert_eq!(f.y(0.0, 100.0), f.base());
        assert!((f.y(50.0, 100.0) - (f.top + f.base()) / 2.0).abs() < 1e-9);
        // An area out of its weight of 15.
        assert!((f.y(7.5, 15.0) - (f.top + f.base()) / 2.0).abs() < 1e-9);
        assert_eq!(f.y(140.0, 100.0), f.top, "clamped at the top");
        assert_eq!(f.y(-3.0, 100.0), f.base(), "clamped at zero");
        assert_eq!(f.y(f64::NAN, 100.0), f.base());
        assert_eq!(
            f.y(50.0, 0.0),
            f.y(50.0, 100.0),
            "a zero axis falls back to 100"
        );
    }

    #[wasm_bindgen_test]
    fn bars_fill_their_slots_and_gaps_have_none() {
        let f = FRAME;
        let s = series(&[Some(95.0), None, Some(80.0)]);
        let first = bar(&f, &s, 0).unwrap();
        let third = bar(&f, &s, 2).unwrap();
        assert_eq!(bar(&f, &s, 1), None);
        assert_eq!(bar(&f, &s, 3), None);
        let (_, slot) = f.slot(0, 3);
        assert!((first.width - slot * 0.7).abs() < 1e-9);
        assert!((third.x - first.x - 2.0 * slot).abs() < 1e-9);
        assert!((first.y + first.height - f.base()).abs() < 1e-9);
        assert!(third.height < first.height, "80 is shorter than 95");
        assert!(
            third.x + third.width <= f.width - 8.0 + 1e-9,
            "inside the plot"
        );
        assert!(off_target(80.0, s.threshold, true) && !off_target(90.0, s.threshold, true));
        assert!(!off_target(10.0, None, true));
        assert!(off_target(1.5, Some(1.0), false) && !off_target(0.5, Some(1.0), false));
    }

    #[wasm_bindgen_test]
    fn the_chart_renders_bars_gaps_and_the_threshold() {
        let document = web_sys::window().unwrap().document().unwrap();
        let host = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&host).unwrap();
        let mut s = series(&[Some(95.0), None, Some(80.25), Some(70.0)]);
        // The month in progress: low so far, but no verdict yet.
        s.points[3].provisional = true;
        let element: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(host.clone());
        let handle = mount_to(element, move || view! { <HistoryChart series=s.clone() /> });
        let bars = host
            .query_selector_all("[data-testid=history-bar]")
            .unwrap();
        assert_eq!(bars.length(), 3);
        let current = host
            .query_selector("[data-testid=history-bar][data-month='2026-04']")
            .unwrap()
            .unwrap();
        assert_eq!(
            current.get_attribute("data-below").as_deref(),
            Some("false")
        );
        assert_eq!(
            current.get_attribute("data-provisional").as_deref(),
            Some("true")
        );
        let low = host
            .query_selector("[data-testid=history-bar][data-month='2026-03']")
            .unwrap()
            .unwrap();
        assert_eq!(low.get_attribute("data-below").as_deref(), Some("true"));
        assert_eq!(low.get_attribute("data-value").as_deref(), Some("80.2"));
        assert!(host
            .query_selector("[data-testid=history-gap][data-month='2026-02']")
            .unwrap()
            .is_some());
        let line = host
            .query_selector("[data-testid=history-threshold]")
            .unwrap()
            .unwrap();
        assert_eq!(line.get_attribute("data-value").as_deref(), Some("90.0"));
        drop(handle);
        host.remove();
    }
}
