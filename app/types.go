package app

import (
	"crypto/rand"
	"time"

	"github.com/oklog/ulid/v2"
)

// Identifiers are distinct named types so that a theme code cannot be passed
// where a sub-region is expected.
type (
	// RecordID identifies a record: a ULID, so ids sort by creation time.
	RecordID string
	// WorkspaceID identifies a consultation process (a ULID).
	WorkspaceID string
	// DeviceID identifies an authoring device: the first 8 bytes of the
	// SHA-256 of its Ed25519 public key, in hex, so it is self-certifying.
	DeviceID string
	// ThemeCode is a stable code from the taxonomy's themes.
	ThemeCode string
	// SubRegion is one of andes, mesoamerica, caribbean, southern-cone, regional.
	SubRegion string
	// CountryCode is an ISO 3166-1 alpha-2 code of a Latin American or
	// Caribbean country.
	CountryCode string
	// StakeholderCode is a stakeholder group from the taxonomy.
	StakeholderCode string
	// PopulationCode is a population group of the broad-protection premise.
	PopulationCode string
	// TagCode is an age, gender and diversity group.
	TagCode string
	// Lang is a language code: es, en, pt or fr.
	Lang string
)

// Languages are the languages of the consultation, in the order shown.
var Languages = []Lang{"es", "en", "pt", "fr"}

// Kind is the kind of a record.
type Kind string

// The record kinds.
const (
	KindMeeting  Kind = "meeting"  // a sub-regional or thematic consultation
	KindNote     Kind = "note"     // a delegate's meeting note
	KindProposal Kind = "proposal" // proposed text for the Plan of Action
	KindInput    Kind = "input"    // a stakeholder input
	KindComment  Kind = "comment"  // a comment on a proposal
)

// Kinds lists every kind in display order.
var Kinds = []Kind{KindMeeting, KindNote, KindProposal, KindInput, KindComment}

// Status is where a record stands.
type Status string

// Proposals move through draft, submitted, under-review and then merged,
// adopted or withdrawn; every other kind is active or withdrawn.
const (
	StatusDraft       Status = "draft"
	StatusSubmitted   Status = "submitted"
	StatusUnderReview Status = "under-review"
	StatusMerged      Status = "merged"
	StatusAdopted     Status = "adopted"
	StatusWithdrawn   Status = "withdrawn"
	StatusActive      Status = "active"
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusUnderReview, StatusMerged, StatusAdopted, StatusActive, StatusWithdrawn}

// StatusesFor returns the statuses a record of kind k may have.
func StatusesFor(k Kind) []Status {
	switch k {
	case KindParagraph:
		return ParagraphStatuses
	case KindAmendment:
		return AmendmentStatuses
	}
	if k == KindProposal {
		return []Status{StatusDraft, StatusSubmitted, StatusUnderReview, StatusMerged, StatusAdopted, StatusWithdrawn}
	}
	return []Status{StatusActive, StatusWithdrawn}
}

// InitialStatus is the status a new record of kind k starts with.
func InitialStatus(k Kind) Status {
	switch k {
	case KindParagraph:
		return StatusOpen
	case KindAmendment:
		return StatusPending
	}
	if k == KindProposal {
		return StatusDraft
	}
	return StatusActive
}

// MaxBody is the largest body a record may hold, in bytes.
const MaxBody = 1 << 20

// MaxTitle is the longest title a record may hold, in bytes.
const MaxTitle = 500

// Record is the materialized state of one record: the fold of its operations.
// Sets (Themes, Populations, Tags, Sources, MergedInto) are kept sorted so that
// equal states encode to equal bytes.
type Record struct {
	ID          RecordID         `cbor:"1,keyasint"`
	Kind        Kind             `cbor:"2,keyasint"`
	Title       string           `cbor:"3,keyasint"`
	Body        string           `cbor:"4,keyasint,omitempty"`
	Lang        Lang             `cbor:"5,keyasint,omitempty"`
	Meeting     RecordID         `cbor:"6,keyasint,omitempty"`
	SubRegion   SubRegion        `cbor:"7,keyasint,omitempty"`
	Country     CountryCode      `cbor:"8,keyasint,omitempty"`
	Themes      []ThemeCode      `cbor:"9,keyasint,omitempty"`
	Stakeholder StakeholderCode  `cbor:"10,keyasint,omitempty"`
	Populations []PopulationCode `cbor:"11,keyasint,omitempty"`
	Tags        []TagCode        `cbor:"12,keyasint,omitempty"`
	Status      Status           `cbor:"13,keyasint"`
	Author      string           `cbor:"14,keyasint,omitempty"`
	Org         string           `cbor:"15,keyasint,omitempty"`
	Venue       string           `cbor:"16,keyasint,omitempty"`
	Date        string           `cbor:"17,keyasint,omitempty"` // meeting date, YYYY-MM-DD
	Device      DeviceID         `cbor:"18,keyasint"`           // the authoring device
	Created     HLC              `cbor:"19,keyasint"`
	Updated     HLC              `cbor:"20,keyasint"`
	UpdatedBy   DeviceID         `cbor:"21,keyasint"`
	Sources     []RecordID       `cbor:"22,keyasint,omitempty"`
	MergedInto  []RecordID       `cbor:"23,keyasint,omitempty"`
	ReplyTo     RecordID         `cbor:"24,keyasint,omitempty"`
	Version     OpID             `cbor:"25,keyasint"` // the last operation applied
	Ops         int              `cbor:"26,keyasint"` // how many operations made it
	// Contributors are the authors and organizations of the records a
	// consolidated proposal was merged from, as "Name (Organization)".
	Contributors []string `cbor:"27,keyasint,omitempty"`
	// Supporters are the people who support (endorse) the record.
	Supporters []string `cbor:"28,keyasint,omitempty"`
	// Conflict holds the competing versions of the body when edits that
	// did not see each other changed the same paragraphs; Body is the
	// first. Empty when there is no conflict. An edit made with the
	// conflict in view resolves it.
	Conflict []Version `cbor:"29,keyasint,omitempty"`
	// Attention lists why the record needs a rapporteur's look (see the
	// Attention constants); empty when it does not.
	Attention []string `cbor:"30,keyasint,omitempty"`
	// Sensitive records can name people at risk: lists mask them until
	// opened and exports leave them out unless asked (or redact them).
	Sensitive bool `cbor:"31,keyasint,omitempty"`

	// Drafting (drafting.go): a paragraph's place and part, an amendment's
	// action, a draft's style, a revision's number.
	Position  string    `cbor:"32,keyasint,omitempty"` // a paragraph's order key (position.go)
	Action    Action    `cbor:"33,keyasint,omitempty"` // an amendment's action
	After     RecordID  `cbor:"34,keyasint,omitempty"` // where an added or moved paragraph goes
	Rationale string    `cbor:"35,keyasint,omitempty"` // why an amendment is proposed
	Part      Part      `cbor:"36,keyasint,omitempty"` // preambular or operative
	AltOf     RecordID  `cbor:"37,keyasint,omitempty"` // the paragraph this one is an alternative to
	Numbering Numbering `cbor:"38,keyasint,omitempty"` // a draft's numbering style
	DocKind   DocKind   `cbor:"39,keyasint,omitempty"` // what a draft is
	Base      uint64    `cbor:"40,keyasint,omitempty"` // a paragraph's number at the last revision
	Rev       uint64    `cbor:"41,keyasint,omitempty"` // a revision's number
	Level     uint64    `cbor:"42,keyasint,omitempty"` // a section heading's level; 0 for a paragraph
	Opposers  []string  `cbor:"43,keyasint,omitempty"` // who opposes an amendment

	// NotApplied lists the record's operations that are kept but not
	// applied: their author had no role for them, or lost it in a
	// revocation that did not see them (authority.go).
	NotApplied []NotApplied `cbor:"44,keyasint,omitempty"`
}

// NotApplied is an operation kept in a record's history but not applied,
// and why.
type NotApplied struct {
	Op  OpID   `cbor:"1,keyasint"`
	Why string `cbor:"2,keyasint"`
}

// Redacted is what replaces the text and author of a sensitive record in a
// redacted export.
const Redacted = "[redacted]"

// Version is one competing version of a record's body.
type Version struct {
	Body string `cbor:"1,keyasint"`
	// From is the edit whose change this version keeps.
	From OpID `cbor:"2,keyasint"`
}

// Reasons a record needs attention.
const (
	// AttentionEditWithdrawn: the record was edited and withdrawn by
	// people who had not seen each other's change; the edit is kept.
	AttentionEditWithdrawn = "edited-while-withdrawn"
	// AttentionMergedTwice: the record was merged into more than one
	// consolidated proposal by rapporteurs who had not seen each other's
	// merge. The service adds it to the record and to the consolidated
	// proposals concerned when it reads them.
	AttentionMergedTwice = "merged-twice"
	// AttentionConflict: competing versions of the body (see Conflict).
	AttentionConflict = "conflict"
)

// AttentionReasons lists the reasons a record may need attention.
var AttentionReasons = []string{AttentionConflict, AttentionEditWithdrawn, AttentionMergedTwice}

// CreatedTime is when the record was created, by its author's clock, as
// people are shown it: not later than now (see ShownTime).
func (r *Record) CreatedTime() time.Time { t, _ := ShownTime(r.Created, time.Now()); return t }

// UpdatedTime is when the record last changed, by the changing device's
// clock, as people are shown it: not later than now (see ShownTime).
func (r *Record) UpdatedTime() time.Time { t, _ := ShownTime(r.Updated, time.Now()); return t }

// CreatedAhead reports whether the record's creation time is beyond this
// laptop's clock by more than MaxClockOffset, so CreatedTime shows now.
func (r *Record) CreatedAhead() bool { _, a := ShownTime(r.Created, time.Now()); return a }

// HasTheme reports whether r is tagged with theme t exactly.
func (r *Record) HasTheme(t ThemeCode) bool {
	for _, x := range r.Themes {
		if x == t {
			return true
		}
	}
	return false
}

// Workspace is one consultation process. One data directory holds one.
type Workspace struct {
	ID      WorkspaceID `cbor:"1,keyasint" json:"id"`
	Title   string      `cbor:"2,keyasint" json:"title"`
	Secret  []byte      `cbor:"3,keyasint" json:"-"` // the join key: 32 random bytes
	Created time.Time   `cbor:"4,keyasint" json:"created"`
	// Epoch counts the join keys: a member's removal replaces the key
	// (epoch.go). Past are the keys before it, oldest first, with which
	// laptops that have not heard of the removal are still let in, if
	// they prove who they are.
	Epoch uint64   `cbor:"5,keyasint,omitempty" json:"epoch,omitempty"`
	Past  [][]byte `cbor:"6,keyasint,omitempty" json:"-"`
	// EpochOps are the removals the key comes from: several when
	// removals were made at once, each with its own key (epoch.go).
	EpochOps []OpID `cbor:"7,keyasint,omitempty" json:"-"`
}

// NewID returns a new time-ordered identifier.
func NewID(t time.Time) string {
	return ulid.MustNew(ulid.Timestamp(t), rand.Reader).String()
}

// ValidID reports whether s is a well-formed record or workspace id.
func ValidID(s string) bool {
	_, err := ulid.ParseStrict(s)
	return err == nil && len(s) == ulid.EncodedSize
}
