//! Cleaning inspections and the monthly vendor score sheet.
//!
//! The cleaning setup document holds the score-sheet template versions; a
//! cleaning month document holds that month's inspections, their item marks,
//! rectifications and the two sign-off signatures that lock the month.

/// Score-sheet template versions (cleaning setup), keyed by version id.
pub const TEMPLATES: &str = "templates";
/// Inspections of an area (cleaning month), keyed by inspection id.
pub const INSPECTIONS: &str = "inspections";
/// Item marks, keyed by inspection, item and the supervisor who gave them.
pub const MARKS: &str = "marks";
/// Rectifications opened by deductions, keyed by rectification id.
pub const RECTIFICATIONS: &str = "rectifications";
/// The month's sign-off signatures, keyed by party (`supervisor`, `vendor`).
pub const SIGNATURES: &str = "signatures";
