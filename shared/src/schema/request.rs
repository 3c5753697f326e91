//! Requests (诉求: complaints, repairs, help requests) and their workflow
//! events, as stored in a zone's request log of the month the request was
//! created in.
//!
//! A request is created once (its intake record, never rewritten) and changed
//! only by adding workflow events, each keyed by a random id, so two tablets
//! acting on the same request offline both keep their edits. What the events
//! mean — the state machine and the rule for concurrent edits — is
//! [`crate::workflow`]'s; this module only stores and checks records.

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use super::finding::MAX_PHOTOS;
use super::record::ReadRecords;
use super::{
    check_author, check_id, check_instant, check_photos, check_text, check_word, get, list, put,
    Container, Record, SchemaError,
};

/// Intake records, keyed by request id.
pub const REQUESTS: &str = Container::Requests.name();
/// Workflow events (assign, accept, progress, note, done, callback, ...),
/// keyed by event id; each names its request.
pub const REQUEST_EVENTS: &str = Container::RequestEvents.name();

/// Defines a closed set of words stored as text: the enum, `ALL`, `as_str`, `parse`.
macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }

            pub fn words() -> Vec<&'static str> {
                Self::ALL.iter().map(|value| value.as_str()).collect()
            }
        }
    };
}

words! {
    /// How the request reached the office.
    Channel {
        /// 来电
        Phone = "phone",
        /// 来访
        WalkIn = "walk_in",
        /// Raised on a household visit (走访).
        Visit = "visit",
        /// Seen or told on a walk-round or patrol.
        WalkRound = "walk_round",
        /// 信件 / 网上
        LetterOnline = "letter_online",
        /// Transferred from the company's complaint centre: its result is reported back.
        CompanyCentre = "company_centre",
    }
}

words! {
    /// What is asked for.
    RequestKind {
        Medical = "medical",
        RepairHome = "repair_home",
        RepairCommon = "repair_common",
        Complaint = "complaint",
        Enquiry = "enquiry",
        /// Theft, fight, robbery.
        Crime = "crime",
        /// Typhoon, flood, fire.
        Disaster = "disaster",
        Other = "other",
    }
}

impl RequestKind {
    pub fn is_repair(self) -> bool {
        matches!(self, RequestKind::RepairHome | RequestKind::RepairCommon)
    }
}

words! {
    /// What a workflow event does (see [`crate::workflow`]).
    Action {
        Assign = "assign",
        Accept = "accept",
        Start = "start",
        Return = "return",
        Transfer = "transfer",
        Done = "done",
        Callback = "callback",
        Close = "close",
        CloseInvalid = "close_invalid",
        Classify = "classify",
        Mark = "mark",
        Note = "note",
        Report = "report",
    }
}

words! {
    /// A complaint's classification.
    Classification {
        /// 有效: contact the resident, agree a reply time, fix it by then.
        Valid = "valid",
        /// 无效: explain and close.
        Invalid = "invalid",
        /// 协助处理: another department handles it; tracked here.
        OtherDepartment = "other_department",
    }
}

words! {
    /// A repair's handling mark.
    Handling {
        /// A repair order to engineering.
        Normal = "normal",
        /// Under warranty: the developer's contractor fixes it.
        Z = "z",
        /// An outside utility or vendor.
        Q = "q",
        /// Needs coordination, expected to take more than two days.
        Gt = "gt",
    }
}

impl Handling {
    /// Z, Q and GT: someone outside the office has it, by a date the office
    /// follows up (the mark records who and when).
    pub fn is_outside(self) -> bool {
        self != Handling::Normal
    }
}

/// The longest party or reference a handling mark records, in characters.
pub const MAX_PARTY: usize = 100;

words! {
    /// The resident's satisfaction on a callback (回访).
    Satisfaction {
        /// 满意
        Satisfied = "satisfied",
        /// 基本满意
        Basically = "basically",
        /// 不满意: the request goes back to in progress.
        NotSatisfied = "not_satisfied",
    }
}

words! {
    /// Whom a `report` event reported to.
    ReportTarget {
        /// The office head (collective complaints: within 15 minutes).
        Head = "head",
        /// The company (collective complaints: within 2 hours).
        Company = "company",
        /// The company's complaint centre (its transferred requests: result within 12 hours).
        Centre = "centre",
        /// The supervisor (a complaint settled on the spot: within 1 hour).
        Supervisor = "supervisor",
    }
}

/// The intake of one request: written once by its first receiver, who owns it
/// until it is closed (首问责任制).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Request {
    pub id: String,
    pub zone: String,
    /// A [`Channel`] word.
    pub channel: String,
    /// A [`RequestKind`] word.
    pub kind: String,
    /// The resident directory's unit id; empty when typed by someone without the directory.
    pub unit_id: String,
    /// The unit as shown, e.g. `3栋2单元501`.
    pub unit_label: String,
    pub resident_name: String,
    pub contact_phone: String,
    pub description: String,
    /// Hashes of the photo blobs.
    pub photos: Vec<String>,
    /// 集体投诉: a complaint from several households.
    pub collective: bool,
    /// How many households complained together (0 unless collective).
    pub households: u32,
    /// The visit that raised it, or empty.
    pub visit_id: String,
    /// The patrol finding it came from, or empty.
    pub finding_id: String,
    /// Where a finding-born request is: the zone checkpoint the guard named
    /// (its id in the zone directory), or empty.
    #[serde(default)]
    pub checkpoint_id: String,
    /// That checkpoint as it was shown when the finding was made (code and
    /// name), so the request reads without the directory; or empty.
    #[serde(default)]
    pub checkpoint_label: String,
    /// Username of the first receiver, the owner.
    pub received_by: String,
    pub received_by_name: String,
    pub device: String,
    /// The tablet's clock when it was received (unix ms).
    pub received_at: i64,
}

impl Request {
    /// A request as an intake form starts it, for `zone`: its id and its
    /// receiver are filled in when it is recorded.
    pub fn draft(zone: &str, channel: Channel, kind: RequestKind) -> Request {
        Request {
            zone: zone.into(),
            channel: channel.as_str().into(),
            kind: kind.as_str().into(),
            ..Request::default()
        }
    }

    pub fn kind(&self) -> RequestKind {
        RequestKind::parse(&self.kind).unwrap_or(RequestKind::Other)
    }

    pub fn channel(&self) -> Channel {
        Channel::parse(&self.channel).unwrap_or(Channel::Phone)
    }
}

impl Record for Request {
    const CONTAINER: Container = Container::Requests;
    const PERSONAL: bool = true;

    const MADE_AT: Option<&'static str> = Some("received_at");
    const AUTHOR: Option<&'static str> = Some("received_by");
    const BLOBS: &'static [&'static str] = &["photos"];

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("request", &self.id)?;
        check_text("zone", &self.zone, true, 32)?;
        check_word("channel", &self.channel, &Channel::words())?;
        check_word("request kind", &self.kind, &RequestKind::words())?;
        if !self.unit_id.is_empty() {
            check_id("unit", &self.unit_id)?;
        }
        check_text("unit", &self.unit_label, false, 64)?;
        check_text("resident name", &self.resident_name, false, 64)?;
        check_phone(&self.contact_phone)?;
        check_text("description", &self.description, true, 2000)?;
        check_photos("photos", &self.photos, MAX_PHOTOS)?;
        if self.collective {
            if self.kind() != RequestKind::Complaint {
                return Err(SchemaError::Invalid(
                    "only a complaint can be collective".into(),
                ));
            }
            if self.households < 2 {
                return Err(SchemaError::Invalid(
                    "a collective complaint comes from two or more households".into(),
                ));
            }
        } else if self.households != 0 {
            return Err(SchemaError::Invalid(
                "households are counted only for a collective complaint".into(),
            ));
        }
        for (what, id) in [
            ("visit", &self.visit_id),
            ("finding", &self.finding_id),
            ("checkpoint", &self.checkpoint_id),
        ] {
            if !id.is_empty() {
                check_id(what, id)?;
            }
        }
        check_text("checkpoint label", &self.checkpoint_label, false, 128)?;
        check_author(
            "receiver",
            &self.received_by,
            &self.received_by_name,
            &self.device,
        )?;
        check_instant("received time", self.received_at)
    }
}

/// One step in a request's workflow. Fields an action does not use are empty (or 0 / false).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RequestEvent {
    pub id: String,
    pub request_id: String,
    /// An [`Action`] word.
    pub action: String,
    pub by: String,
    pub by_name: String,
    pub device: String,
    /// The tablet's clock when it was done (unix ms).
    pub at: i64,
    /// The latest event of this request the author's tablet held when acting
    /// (empty if none): two events with the same prior were made without
    /// either author seeing the other.
    pub prior: String,
    /// Assign / transfer: to whom (username, or a department's name for a transfer).
    pub assignee: String,
    pub assignee_name: String,
    /// Classify: a [`Classification`] word.
    pub classification: String,
    /// Mark: a [`Handling`] word.
    pub handling: String,
    /// Classify valid: the reply time agreed with the resident (unix ms).
    pub reply_by: i64,
    /// Done: settled on the spot (reported to the supervisor within an hour).
    pub on_the_spot: bool,
    /// Callback: a [`Satisfaction`] word.
    pub satisfaction: String,
    /// Report: a [`ReportTarget`] word.
    pub target: String,
    /// The note, reason, explanation, result or callback remarks.
    pub note: String,
    pub photos: Vec<String>,
    /// Mark Z / Q / GT: who outside the office has it (the developer's
    /// contractor, the outside vendor, the departments involved).
    #[serde(default)]
    pub party: String,
    /// Mark Q: the vendor's reference number.
    #[serde(default)]
    pub reference: String,
    /// Mark Z / Q / GT: the date promised, or the next follow-up (unix ms,
    /// the end of that site-local day).
    #[serde(default)]
    pub follow_up_by: i64,
}

impl RequestEvent {
    /// A blank event of `action`; callers fill in what the action uses.
    pub fn new(id: &str, request_id: &str, action: Action, at: i64) -> RequestEvent {
        RequestEvent {
            id: id.into(),
            request_id: request_id.into(),
            action: action.as_str().into(),
            by: String::new(),
            by_name: String::new(),
            device: String::new(),
            at,
            prior: String::new(),
            assignee: String::new(),
            assignee_name: String::new(),
            classification: String::new(),
            handling: String::new(),
            reply_by: 0,
            on_the_spot: false,
            satisfaction: String::new(),
            target: String::new(),
            note: String::new(),
            photos: Vec::new(),
            party: String::new(),
            reference: String::new(),
            follow_up_by: 0,
        }
    }

    /// The action, if the word is known (unknown words come only from newer
    /// or hostile peers and are ignored by the workflow).
    pub fn action(&self) -> Option<Action> {
        Action::parse(&self.action)
    }
}

impl Record for RequestEvent {
    const CONTAINER: Container = Container::RequestEvents;

    const MADE_AT: Option<&'static str> = Some("at");
    const AUTHOR: Option<&'static str> = Some("by");
    const BLOBS: &'static [&'static str] = &["photos"];

    fn id(&self) -> &str {
        &self.id
    }

    /// Checks the record's shape and that each action carries what it needs.
    /// Whether the action is allowed *now* is [`crate::workflow::check`]'s.
    fn validate(&self) -> Result<(), SchemaError> {
        check_id("event", &self.id)?;
        check_id("request", &self.request_id)?;
        let action = self
            .action()
            .ok_or_else(|| SchemaError::Invalid(format!("action {:?}", self.action)))?;
        if !self.prior.is_empty() {
            check_id("prior event", &self.prior)?;
        }
        check_author("by", &self.by, &self.by_name, &self.device)?;
        check_instant("event time", self.at)?;
        check_text("assignee", &self.assignee, false, 64)?;
        check_text("assignee name", &self.assignee_name, false, 64)?;
        check_text("note", &self.note, false, 2000)?;
        check_photos("photos", &self.photos, MAX_PHOTOS)?;
        let missing = |what: &str| {
            Err(SchemaError::Invalid(format!(
                "{} needs {what}",
                self.action
            )))
        };
        match action {
            Action::Assign if self.assignee.trim().is_empty() => return missing("an assignee"),
            Action::Transfer if self.assignee.trim().is_empty() && self.note.trim().is_empty() => {
                return missing("a department or a note")
            }
            Action::Return | Action::CloseInvalid | Action::Note | Action::Done
                if self.note.trim().is_empty() =>
            {
                return missing("a note")
            }
            Action::Classify => {
                check_word(
                    "classification",
                    &self.classification,
                    &Classification::words(),
                )?;
                if self.classification == Classification::Valid.as_str() {
                    check_instant("agreed reply time", self.reply_by)?;
                }
            }
            Action::Mark => {
                check_word("handling mark", &self.handling, &Handling::words())?;
                if Handling::parse(&self.handling).is_some_and(Handling::is_outside) {
                    check_text("party", &self.party, true, MAX_PARTY)?;
                    let q = self.handling == Handling::Q.as_str();
                    check_text("vendor's reference", &self.reference, q, MAX_PARTY)?;
                    check_instant("follow-up date", self.follow_up_by)?;
                }
            }
            Action::Callback => {
                check_word("satisfaction", &self.satisfaction, &Satisfaction::words())?
            }
            Action::Report => check_word("report target", &self.target, &ReportTarget::words())?,
            _ => {}
        }
        Ok(())
    }
}

/// A contact phone: empty, or a contact number ([`crate::domain::is_contact_phone`]).
fn check_phone(phone: &str) -> Result<(), SchemaError> {
    if phone.is_empty() || crate::domain::is_contact_phone(phone) {
        Ok(())
    } else {
        Err(SchemaError::Invalid(format!("phone {phone:?}")))
    }
}

/// Every well-formed request of the document.
pub fn requests(doc: &impl ReadRecords) -> Result<Vec<Request>, SchemaError> {
    list(doc)
}

/// Every well-formed event of the document.
pub fn request_events(doc: &impl ReadRecords) -> Result<Vec<RequestEvent>, SchemaError> {
    list(doc)
}

/// One request by id.
pub fn request(doc: &Automerge, id: &str) -> Result<Option<Request>, SchemaError> {
    get(doc, id)
}

fn request_exists(doc: &Automerge, id: &str) -> Result<bool, SchemaError> {
    Ok(get::<Request>(doc, id)?.is_some())
}

/// Records a new request's intake, as one change. Refuses to rewrite one.
pub fn put_request(doc: &mut Automerge, request: &Request) -> Result<(), SchemaError> {
    request.validate()?;
    if request_exists(doc, &request.id)? {
        return Err(SchemaError::Exists {
            records: Container::Requests,
            id: request.id.clone(),
        });
    }
    put(doc, request, request.received_at)
}

/// Records a request whose id is derived from what it came from (a patrol
/// finding's: [`super::finding::request_id_for`]), once: answers `false`, and
/// writes nothing, when the request is already in the document, so a retry
/// or a second tablet replaying the same finding changes nothing. Two
/// tablets that both write it offline leave one request under that id when
/// their documents merge (a map key holds one record).
pub fn put_request_once(doc: &mut Automerge, request: &Request) -> Result<bool, SchemaError> {
    match put_request(doc, request) {
        Ok(()) => Ok(true),
        Err(SchemaError::Exists { .. }) => Ok(false),
        Err(error) => Err(error),
    }
}

/// Adds a workflow event, as one change. The request must be in this document.
pub fn put_request_event(doc: &mut Automerge, event: &RequestEvent) -> Result<(), SchemaError> {
    event.validate()?;
    if !request_exists(doc, &event.request_id)? {
        return Err(SchemaError::Invalid(format!(
            "request {} is not in this document",
            event.request_id
        )));
    }
    if get::<RequestEvent>(doc, &event.id)?.is_some() {
        return Err(SchemaError::Exists {
            records: Container::RequestEvents,
            id: event.id.clone(),
        });
    }
    put(doc, event, event.at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::requests::{event, intake};
    use crate::fixtures::AT;
    use crate::schema::DocKey;
    use chrono::NaiveDate;

    fn log() -> Automerge {
        DocKey::request_log("demo", "A", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).genesis()
    }

    #[test]
    fn requests_and_events_round_trip() {
        let mut doc = log();
        put_request(&mut doc, &intake("req-1", RequestKind::RepairCommon)).unwrap();
        put_request_event(&mut doc, &event("ev-1", Action::Accept, AT + 1)).unwrap();
        assert_eq!(
            requests(&doc).unwrap(),
            [intake("req-1", RequestKind::RepairCommon)]
        );
        assert_eq!(request_events(&doc).unwrap().len(), 1);
        // An intake is written once; an event names a request of this document.
        assert!(put_request(&mut doc, &intake("req-1", RequestKind::Other)).is_err());
        let mut stray = event("ev-2", Action::Note, AT + 2);
        stray.request_id = "req-elsewhere".into();
        assert!(put_request_event(&mut doc, &stray).is_err());
    }

    #[test]
    fn refuses_bad_requests() {
        let cases: [fn(&mut Request); 8] = [
            |r| r.kind = "ghost".into(),
            |r| r.channel = "pigeon".into(),
            |r| r.description = "  ".into(),
            |r| r.contact_phone = "call me".into(),
            |r| r.collective = true,
            |r| {
                r.kind = RequestKind::Complaint.as_str().into();
                r.collective = true;
                r.households = 1;
            },
            |r| r.received_at = 0,
            |r| r.photos = vec!["nope".into()],
        ];
        for (index, break_it) in cases.iter().enumerate() {
            let mut bad = intake("req-1", RequestKind::RepairHome);
            break_it(&mut bad);
            assert!(bad.validate().is_err(), "case {index}");
        }
        let mut collective = intake("req-1", RequestKind::Complaint);
        collective.collective = true;
        collective.households = 5;
        collective.validate().unwrap();
    }

    #[test]
    fn refuses_events_missing_what_their_action_needs() {
        let cases: [fn(&mut RequestEvent); 6] = [
            |e| e.action = "teleport".into(),
            |e| {
                e.action = Action::Assign.as_str().into();
                e.assignee.clear()
            },
            |e| {
                e.action = Action::Return.as_str().into();
                e.note.clear()
            },
            |e| {
                e.action = Action::Callback.as_str().into();
                e.satisfaction = "meh".into()
            },
            |e| {
                e.action = Action::Classify.as_str().into();
                e.classification = Classification::Valid.as_str().into();
                e.reply_by = 0
            },
            |e| e.by.clear(),
        ];
        for (index, break_it) in cases.iter().enumerate() {
            let mut bad = event("ev-1", Action::Note, AT);
            break_it(&mut bad);
            assert!(bad.validate().is_err(), "case {index}");
        }
        for action in Action::ALL {
            event("ev-1", *action, AT).validate().unwrap();
        }
    }
}
