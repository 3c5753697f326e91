//! The tablet's side of the resident directory and visits: reading units,
//! residents and visits, importing a CSV file, recording a visit.
