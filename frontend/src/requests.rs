//! The tablet's side of requests: gathering a zone's requests from the held
//! request logs and writing intake records and workflow events.
