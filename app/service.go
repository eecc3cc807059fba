package app

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Identity is this device: its id, a human name and its signing key.
type Identity struct {
	Device DeviceID           `cbor:"1,keyasint"`
	Name   string             `cbor:"2,keyasint"`
	Key    ed25519.PrivateKey `cbor:"3,keyasint"`
}

// NewIdentity creates a device identity with a fresh Ed25519 key.
func NewIdentity(name string) (*Identity, error) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Identity{Device: DeviceIDOf(pub), Name: name, Key: key}, nil
}

// Store makes operations durable and answers queries over the records they
// fold into. Package storage implements it.
type Store interface {
	// Init stores a new workspace and this device's identity. It fails with
	// Exist if the store already holds a workspace.
	Init(ws *Workspace, id *Identity) error
	// Workspace returns the stored workspace, or NotInitialized.
	Workspace() (*Workspace, error)
	// Identity returns this device's identity, or NotInitialized.
	Identity() (*Identity, error)
	// LastOp returns the operation of dev with the highest sequence number,
	// decoded and as stored, or nil when dev has none.
	LastOp(dev DeviceID) (*Op, []byte, error)
	// Apply stores operations durably and folds the records they touch.
	// Applying an operation already stored is a no-op; a different
	// operation at an existing address fails with Corrupt. When Apply
	// returns nil every operation is on disk.
	Apply(ops []*Op) error
	// Record returns a record's state, or NotFound.
	Record(id RecordID) (*Record, error)
	// Records returns the states of records ids, in that order, read in
	// one transaction; NotFound if one is missing.
	Records(ids []RecordID) ([]*Record, error)
	// Ops returns a record's operations in the order they apply, or NotFound.
	Ops(id RecordID) ([]*Op, error)
	// Query returns the records matching q.
	Query(q *Query) (*Result, error)
	// Authority is who may do what, as the stored role operations decide
	// it (nil before Init).
	Authority() *Authority
}

// Service carries out the consultation's use cases over a Store: it checks
// input, turns each change into a signed operation and hands it to storage.
// It is safe for concurrent use.
type Service struct {
	store Store
	tax   *Taxonomy
	clock Clock

	mu sync.Mutex // serializes writes: one sequence per device
	ws *Workspace
	// wsID is ws.ID, readable without mu: Decode checks operations
	// against it while Receive holds mu to store the batch before.
	wsID atomic.Pointer[WorkspaceID]
	id   *Identity
	// ident is id, readable without mu: a sync handshake proves who this
	// laptop is while Receive holds mu to store a large batch.
	ident   atomic.Pointer[Identity]
	idCount uint32 // records this laptop made ids for: RecordIDFor's count
	seq     uint64
	prev    []byte // chain hash of this device's last operation
}

// NewService returns a service over store. The store may hold no workspace
// yet; Init creates it.
func NewService(store Store) (*Service, error) {
	tax, err := LoadTaxonomy()
	if err != nil {
		return nil, err
	}
	s := &Service{store: store, tax: tax}
	if err := s.load(); err != nil && KindOf(err) != NotInitialized {
		return nil, err
	}
	return s, nil
}

func (s *Service) load() error {
	ws, err := s.store.Workspace()
	if err != nil {
		return err
	}
	id, err := s.store.Identity()
	if err != nil {
		return err
	}
	last, enc, err := s.store.LastOp(id.Device)
	if err != nil {
		return err
	}
	s.ws, s.id = ws, id
	s.ident.Store(id)
	if ws != nil {
		s.wsID.Store(&ws.ID)
	}
	if last != nil {
		s.seq, s.prev = last.Seq, HashOp(enc)
		s.clock.Observe(last.HLC)
		return nil
	}
	if ws == nil {
		return nil
	}
	// This device has not announced itself: a data directory restored
	// from a backup writes as a new device (storage.Restore), and a crash
	// between Init and the announcement leaves one unannounced too. Peers
	// refuse the operations of a device they do not know.
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.announceLocked()
}

// announceLocked writes the operation that makes this device known: its
// public key, whose hash is its id, and its name.
func (s *Service) announceLocked() error {
	dev := s.newOpLocked(OpDevice, "")
	dev.PubKey = s.id.Key.Public().(ed25519.PublicKey)
	dev.Name = s.id.Name
	if err := s.commitLocked(dev); err != nil {
		s.seq, s.prev = 0, nil
		return err
	}
	return nil
}

// Taxonomy returns the taxonomy the service validates against.
func (s *Service) Taxonomy() *Taxonomy { return s.tax }

// Workspace returns the workspace, or nil before Init.
func (s *Service) Workspace() *Workspace {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ws
}

// Device returns this device's id, or "" before Init.
func (s *Service) Device() DeviceID {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.id == nil {
		return ""
	}
	return s.id.Device
}

// Init creates the workspace titled title, with a fresh join secret and
// device identity, and announces the device. It fails with Exist when the
// data directory already holds a workspace.
func (s *Service) Init(title string) (*Workspace, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return nil, &Error{Op: "init", Kind: Invalid, Field: "title", Msg: "must not be empty"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ws != nil {
		return nil, &Error{Op: "init", Kind: Exist, Msg: fmt.Sprintf("this data directory already holds workspace %q (%s)", s.ws.Title, s.ws.ID)}
	}
	now := time.Now().UTC()
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	id, err := NewIdentity(host)
	if err != nil {
		return nil, err
	}
	// The id names this laptop as the founder (roleops.go): every laptop
	// that joins knows who founded it.
	wsID, err := FoundedWorkspaceID(now, id.Device)
	if err != nil {
		return nil, err
	}
	ws := &Workspace{ID: wsID, Title: title, Secret: secret, Created: now.Truncate(time.Millisecond)}
	return ws, s.initLockedAs(ws, id)
}

// initWith stores ws as this directory's workspace with a new device
// identity, and announces the device.
func (s *Service) initWith(ws *Workspace) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ws != nil {
		return &Error{Op: "join", Kind: Exist, Msg: fmt.Sprintf("this data directory already holds workspace %q (%s)", s.ws.Title, s.ws.ID)}
	}
	return s.initLocked(ws)
}

func (s *Service) initLocked(ws *Workspace) error {
	host, _ := os.Hostname()
	id, err := NewIdentity(host)
	if err != nil {
		return err
	}
	return s.initLockedAs(ws, id)
}

// initLockedAs stores ws as this directory's workspace with identity id,
// and announces the device.
func (s *Service) initLockedAs(ws *Workspace, id *Identity) error {
	if err := s.store.Init(ws, id); err != nil {
		return err
	}
	s.ws, s.id, s.seq, s.prev = ws, id, 0, nil
	s.ident.Store(id)
	s.wsID.Store(&ws.ID)
	return s.announceLocked()
}

func (s *Service) readyRead(op string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ready(op)
}

func (s *Service) ready(op string) error {
	if s.ws == nil {
		return &Error{Op: op, Kind: NotInitialized, Msg: "no workspace here yet; create one with init"}
	}
	return nil
}

// newOpLocked stamps an operation with this device's next address and time.
func (s *Service) newOpLocked(t OpType, rec RecordID) *Op {
	s.seq++
	return &Op{Workspace: s.ws.ID, Device: s.id.Device, Seq: s.seq, HLC: s.clock.Tick(), Type: t, Record: rec,
		Auth: s.store.Authority().Heads()}
}

// newRecordIDLocked is a new record's id, naming this laptop as its
// creator (RecordIDFor).
func (s *Service) newRecordIDLocked() RecordID {
	s.idCount++
	return RecordIDFor(time.Now(), s.id.Device, s.idCount)
}

// fold folds a record from those of ops that may apply.
func (s *Service) fold(ops []*Op) *Record { return FoldAuthorized(ops, s.store.Authority()) }

// SetWallClock makes the service read the wall time from now instead of
// the system clock (nil: the system clock again): tests play a laptop
// whose clock is wrong with it.
func (s *Service) SetWallClock(now func() time.Time) { s.clock.SetNow(now) }

// Now is this laptop's wall clock, as the service reads it: what sync
// tells peers the time is, and compares their times with.
func (s *Service) Now() time.Time { return s.clock.Wall() }

// commitLocked signs and stores ops. Callers give the sequence numbers back
// on failure (see rewind), so that a device's sequence never has gaps.
func (s *Service) commitLocked(ops ...*Op) error {
	if err := s.permitLocked(ops); err != nil {
		return err
	}
	prev := s.prev
	for _, o := range ops {
		o.Prev = prev
		if err := o.Sign(s.id.Key); err != nil {
			return err
		}
		enc, err := EncodeOp(o)
		if err != nil {
			return err
		}
		prev = HashOp(enc)
	}
	if err := s.store.Apply(ops); err != nil {
		return err
	}
	s.prev = prev
	return nil
}

// rewind gives back the sequence numbers taken since start when *err is set.
func (s *Service) rewind(start uint64, err *error) {
	if *err != nil {
		s.seq = start
	}
}

// Draft is a record to create: its kind and initial fields. ID may be set by
// generators that need reproducible ids; it is normally left empty.
type Draft struct {
	ID    RecordID
	Kind  Kind
	Patch Patch
}

// Create validates and stores a new record and returns its id. A record in a
// meeting inherits the meeting's sub-region and country unless it sets its
// own; every record gets the status its kind starts with.
func (s *Service) Create(kind Kind, p Patch) (RecordID, error) {
	ids, err := s.CreateMany([]Draft{{Kind: kind, Patch: p}})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// CreateMany creates several records in one durable write, all or none.
func (s *Service) CreateMany(drafts []Draft) (_ []RecordID, err error) {
	const op = "add"
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(op); err != nil {
		return nil, err
	}
	defer s.rewind(s.seq, &err)
	ops := make([]*Op, 0, len(drafts))
	ids := make([]RecordID, 0, len(drafts))
	for i := range drafts {
		d := &drafts[i]
		if _, err := ParseKind(string(d.Kind)); err != nil {
			return nil, withOp(op, err)
		}
		p := d.Patch
		if err := s.inherit(&p, ids); err != nil {
			return nil, withOp(op, err)
		}
		if err := s.tax.ValidatePatch(d.Kind, &p); err != nil {
			return nil, withOp(op, err)
		}
		id := d.ID
		if id == "" {
			id = s.newRecordIDLocked()
		} else if !ValidID(string(id)) {
			return nil, &Error{Op: op, Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%q is not a record id", id)}
		} else if _, err := s.store.Record(id); err == nil {
			return nil, &Error{Op: op, Kind: Exist, Field: "id", Msg: fmt.Sprintf("a record with id %s already exists", id)}
		}
		o := s.newOpLocked(OpCreate, id)
		o.Kind = d.Kind
		o.Patch = &p
		if r := s.fold([]*Op{o}); r != nil {
			if err := s.tax.ValidateRecord(r); err != nil {
				return nil, withOp(op, err)
			}
		}
		ops = append(ops, o)
		ids = append(ids, id)
	}
	if err := s.commitLocked(ops...); err != nil {
		return nil, withOp(op, err)
	}
	return ids, nil
}

// inherit fills a record's sub-region and country from its meeting, and
// checks that the meeting and the record replied to exist, in the store or
// among batch, the records created before it in the same write.
func (s *Service) inherit(p *Patch, batch []RecordID) error {
	if p.Meeting != nil && *p.Meeting != "" {
		m, err := s.store.Record(*p.Meeting)
		if err != nil {
			if KindOf(err) == NotFound {
				return &Error{Kind: Invalid, Field: "meeting", Msg: fmt.Sprintf("no meeting with id %s", *p.Meeting)}
			}
			return err
		}
		if m.Kind != KindMeeting {
			return &Error{Kind: Invalid, Field: "meeting", Msg: fmt.Sprintf("%s is a %s, not a meeting", m.ID, m.Kind)}
		}
		if p.SubRegion == nil && m.SubRegion != "" {
			sr := m.SubRegion
			p.SubRegion = &sr
		}
		if p.Country == nil && m.Country != "" {
			c := m.Country
			p.Country = &c
		}
	}
	if p.ReplyTo != nil && *p.ReplyTo != "" && !slices.Contains(batch, *p.ReplyTo) {
		if _, err := s.store.Record(*p.ReplyTo); err != nil {
			if KindOf(err) == NotFound {
				return &Error{Kind: Invalid, Field: "reply-to", Msg: fmt.Sprintf("no record with id %s", *p.ReplyTo)}
			}
			return err
		}
	}
	return nil
}

// Update applies p to record id. The update records the version it was made
// from. An empty patch is an Invalid error.
func (s *Service) Update(id RecordID, p Patch) error {
	const op = "edit"
	if p.IsEmpty() {
		return &Error{Op: op, Kind: Invalid, Msg: "nothing to change: give at least one field"}
	}
	return s.change(op, id, OpUpdate, &p)
}

// Withdraw withdraws record id. It stays in the store with status withdrawn.
func (s *Service) Withdraw(id RecordID) error {
	return s.change("withdraw", id, OpWithdraw, nil)
}

func (s *Service) change(op string, id RecordID, t OpType, p *Patch) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(op); err != nil {
		return err
	}
	defer s.rewind(s.seq, &err)
	ops, err := s.store.Ops(id)
	if err != nil {
		return withOp(op, err)
	}
	cur := s.fold(ops)
	if cur == nil {
		return &Error{Op: op, Kind: NotFound, Msg: fmt.Sprintf("no record with id %s", id)}
	}
	if p != nil {
		if err := s.inherit(p, nil); err != nil {
			return withOp(op, err)
		}
		if err := s.tax.ValidatePatch(cur.Kind, p); err != nil {
			return withOp(op, err)
		}
	}
	o := s.opOnLocked(t, id, ops, p)
	if next := s.fold(append(ops, o)); t == OpUpdate {
		if err := s.tax.ValidateRecord(next); err != nil {
			return withOp(op, err)
		}
	}
	return withOp(op, s.commitLocked(o))
}

// Get returns record id.
func (s *Service) Get(id RecordID) (*Record, error) {
	if !ValidID(string(id)) {
		return nil, &Error{Op: "show", Kind: Invalid, Field: "id", Msg: fmt.Sprintf("%q is not a record id", id)}
	}
	r, err := s.store.Record(id)
	if err != nil {
		return nil, withOp("show", err)
	}
	// A consolidated proposal one of whose sources was also merged into
	// another one needs attention too.
	for _, src := range r.Sources {
		if sr, err := s.store.Record(src); err == nil && len(sr.MergedInto) > 1 && slices.Contains(sr.MergedInto, id) {
			if !slices.Contains(r.Attention, AttentionMergedTwice) {
				r.Attention = append(r.Attention, AttentionMergedTwice)
				slices.Sort(r.Attention)
			}
			break
		}
	}
	return r, nil
}

// History returns the operations that made record id, in the order they
// apply.
func (s *Service) History(id RecordID) ([]*Op, error) {
	ops, err := s.store.Ops(id)
	return ops, withOp("history", err)
}

// Filter is what a person filters by, in taxonomy codes. A theme includes
// its sub-themes.
type Filter struct {
	Kinds        []string
	Meetings     []string
	SubRegions   []string
	Countries    []string
	Themes       []string
	Statuses     []string
	Stakeholders []string
	Populations  []string
	Tags         []string
	Authors      []string
	RepliesTo    []string
	Attention    []string // see Record.Attention
	Text         string
}

// Query checks f's codes and turns it into a store query, expanding each
// theme to include its sub-themes. Without kinds it asks for the records
// of Kinds: a draft's paragraphs, amendments and revisions are read where
// the draft is, not among notes and proposals.
func (s *Service) Query(f Filter) (*Query, error) {
	q := &Query{Text: f.Text, Authors: f.Authors}
	for _, k := range f.Kinds {
		kk, err := ParseKind(k)
		if err != nil {
			return nil, err
		}
		q.Kinds = append(q.Kinds, kk)
	}
	if len(q.Kinds) == 0 {
		q.Kinds = slices.Clone(Kinds)
	}
	for _, st := range f.Statuses {
		x, err := ParseStatus(st)
		if err != nil {
			return nil, err
		}
		q.Statuses = append(q.Statuses, x)
	}
	for _, m := range f.Meetings {
		if !ValidID(m) {
			return nil, invalid("meeting", fmt.Sprintf("%q is not a record id", m))
		}
		q.Meetings = append(q.Meetings, RecordID(m))
	}
	check := func(field, list string, codes []string) error {
		for _, c := range codes {
			if err := s.tax.CheckCode(field, list, c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := check("subregion", "subregions", f.SubRegions); err != nil {
		return nil, err
	}
	if err := check("country", "countries", f.Countries); err != nil {
		return nil, err
	}
	if err := check("theme", "themes", f.Themes); err != nil {
		return nil, err
	}
	if err := check("stakeholder", "stakeholders", f.Stakeholders); err != nil {
		return nil, err
	}
	if err := check("population", "populations", f.Populations); err != nil {
		return nil, err
	}
	if err := check("tag", "tags", f.Tags); err != nil {
		return nil, err
	}
	q.SubRegions = conv[SubRegion](f.SubRegions)
	q.Countries = conv[CountryCode](f.Countries)
	q.Stakeholders = conv[StakeholderCode](f.Stakeholders)
	q.Populations = conv[PopulationCode](f.Populations)
	q.Tags = conv[TagCode](f.Tags)
	for _, id := range f.RepliesTo {
		if !ValidID(id) {
			return nil, invalid("reply-to", fmt.Sprintf("%q is not a record id", id))
		}
		q.RepliesTo = append(q.RepliesTo, RecordID(id))
	}
	for _, a := range f.Attention {
		if !slices.Contains(AttentionReasons, a) {
			return nil, invalid("attention", fmt.Sprintf("%q is not a reason for attention", a), AttentionReasons...)
		}
		q.Attention = append(q.Attention, a)
	}
	for _, t := range f.Themes {
		for _, c := range s.tax.WithDescendants(ThemeCode(t)) {
			if !slices.Contains(q.Themes, c) {
				q.Themes = append(q.Themes, c)
			}
		}
	}
	return q, nil
}

// List returns the records matching f, most recently updated first, at most
// limit of them (0: all), with facet counts per field (FacetsPerField): the
// counts of a field f filters on leave its own selection out.
func (s *Service) List(f Filter, limit int) (*Result, error) {
	if err := s.readyRead("list"); err != nil {
		return nil, err
	}
	q, err := s.Query(f)
	if err != nil {
		return nil, withOp("list", err)
	}
	q.Limit = limit
	q.Facets = FacetsPerField
	res, err := s.store.Query(q)
	if err != nil {
		return nil, withOp("list", err)
	}
	keepListedKinds(res.Facets, f.Kinds)
	return res, nil
}

// keepListedKinds drops the counts of the kinds a list holds only when
// asked for (a draft's paragraphs, amendments, revisions). The store counts
// kinds without the query's kinds, but leaving out a selection of kinds
// means Kinds, the default, not every kind.
func keepListedKinds(fc *Facets, asked []string) {
	maps.DeleteFunc(fc.Kind, func(k string, _ int) bool {
		return !slices.Contains(Kinds, Kind(k)) && !slices.Contains(asked, k)
	})
}

// Search runs a prepared store query.
func (s *Service) Search(q *Query) (*Result, error) {
	res, err := s.store.Query(q)
	return res, withOp("list", err)
}

func conv[T ~string](xs []string) []T {
	if len(xs) == 0 {
		return nil
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

// withOp fills in the operation of an *Error that lacks one.
func withOp(op string, err error) error {
	if e, ok := err.(*Error); ok && e.Op == "" {
		e.Op = op
	}
	return err
}

// LocalStore keeps what belongs to this laptop only and is never synced:
// drafts of unsaved forms and settings. Package storage implements it.
type LocalStore interface {
	// PutLocal stores value under key durably; an empty value deletes it.
	PutLocal(key string, value []byte) error
	// GetLocal returns the value under key, or nil if there is none.
	GetLocal(key string) ([]byte, error)
	// ListLocal returns every key that starts with prefix, with its value.
	ListLocal(prefix string) (map[string][]byte, error)
}

// SaveDraft keeps the unsaved text of a form, so that it survives a closed
// window or a killed process. An empty text deletes the draft.
func (s *Service) SaveDraft(name, text string) error {
	ls, ok := s.store.(LocalStore)
	if !ok {
		return &Error{Op: "save draft", Msg: "this store keeps no drafts"}
	}
	return ls.PutLocal("draft/"+name, []byte(text))
}

// Draft returns the saved text of a form, or "".
func (s *Service) Draft(name string) (string, error) {
	ls, ok := s.store.(LocalStore)
	if !ok {
		return "", nil
	}
	b, err := ls.GetLocal("draft/" + name)
	return string(b), err
}

// Drafts returns every saved draft by name.
func (s *Service) Drafts() (map[string]string, error) {
	ls, ok := s.store.(LocalStore)
	if !ok {
		return nil, nil
	}
	m, err := ls.ListLocal("draft/")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.TrimPrefix(k, "draft/")] = string(v)
	}
	return out, nil
}

// SetSetting stores a setting of this laptop (language, name, organization,
// the current meeting).
func (s *Service) SetSetting(name, value string) error {
	ls, ok := s.store.(LocalStore)
	if !ok {
		return &Error{Op: "settings", Msg: "this store keeps no settings"}
	}
	return ls.PutLocal("setting/"+name, []byte(value))
}

// Setting returns a setting of this laptop, or "".
func (s *Service) Setting(name string) string {
	ls, ok := s.store.(LocalStore)
	if !ok {
		return ""
	}
	b, _ := ls.GetLocal("setting/" + name)
	return string(b)
}
