//! The resident directory (units and residents, CSV import) and household
//! visits (走访) screens.
