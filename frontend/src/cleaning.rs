//! The tablet's side of cleaning: templates, inspections, marks,
//! rectifications, the month's score sheet and its signatures.
