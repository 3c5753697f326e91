//! Cleaning inspections, rectifications, the monthly score sheet with its
//! sign-off, the 12-month history and the template editor.

mod chart;
mod signature;
