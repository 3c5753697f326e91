//! The patrol report. (Being written: see shared/src/reports/mod.rs.)

use super::{Documents, Scope, Section};
use crate::schema::DocKey;

pub fn needs(_scope: &Scope) -> Vec<DocKey> {
    Vec::new()
}

pub fn build(_scope: &Scope, _documents: &mut dyn Documents) -> Vec<Section> {
    Vec::new()
}
