//! Requests (诉求): intake, the zone's request list, a request's workflow
//! screen with its history and conflicts, callbacks, the overdue list and
//! the 15:30 daily review, and the collective-complaint alert.
