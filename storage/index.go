package storage

import (
	"slices"
	"strings"

	"github.com/cartagena-c40/consulta/app"
	"github.com/fxamacker/cbor/v2"
	"github.com/hashicorp/go-memdb"
)

// field is a filterable field of a record.
type field uint8

// The filterable fields.
const (
	fieldKind field = iota
	fieldStatus
	fieldSubRegion
	fieldCountry
	fieldMeeting
	fieldTheme // a record is in the posting of each of its themes and their ancestors
	fieldStakeholder
	fieldPopulation
	fieldTag
	fieldAuthor // folded to lower case
	fieldReplyTo
	fieldAttention // why a record needs a rapporteur's look
	numFields
)

var fieldNames = [numFields]string{"kind", "status", "subregion", "country", "meeting", "theme",
	"stakeholder", "population", "tag", "author", "reply_to", "attention"}

// index is what lives in memory beside memdb's postings: the records
// (without their bodies, which stay on disk), the record numbers postings
// refer to, and the word index. Store.idxMu guards it.
type index struct {
	tax  *app.Taxonomy
	nums map[app.RecordID]uint32
	recs []*app.Record // by record number: the current version, without body

	// By record number, in flat arrays so that counting and sorting
	// thousands of records reads memory in order instead of chasing a
	// pointer per record: the postings it is in (pidArena[pidAt[n]:][:pidLen[n]],
	// sorted) and its update time.
	pidArena []uint32
	pidAt    []uint32
	pidLen   []uint16
	updated  []app.HLC

	// Posting ids: fields with facet counts number their postings from 0
	// (keys), the others (author, replies-to: many values, no counts) from
	// uncounted (ukeys), so that counting needs an array only as long as
	// keys.
	pidOf [numFields]map[string]uint32 // one small map per field: faster than one large one
	keys  []postingRef
	ukeys []postingRef
	// The postings without counts, by id&^uncounted: sorted record
	// numbers, changed in place under idxMu. There are thousands of them,
	// most of a few records (one per author, one per record replied to);
	// as memdb objects, copied and reinserted at each write, they made up
	// three quarters of the index's memdb work during a first sync.
	upost [][]uint32
	text  *textIndex
	adds  wordAdds // the writer's, kept between writes with its buffers

	changed chan struct{} // closed and replaced at every change
}

type postingRef struct {
	field field
	value string
}

func newIndex(tax *app.Taxonomy) *index {
	ix := &index{tax: tax, nums: map[app.RecordID]uint32{}, text: newTextIndex(), changed: make(chan struct{})}
	for f := range ix.pidOf {
		ix.pidOf[f] = map[string]uint32{}
	}
	return ix
}

// summary is r without its body and without the texts of competing
// versions: what the indexes keep in memory.
func summary(r *app.Record) *app.Record {
	c := *r
	if len(c.Conflict) > 0 {
		c.Conflict = slices.Clone(c.Conflict)
	}
	return toSummary(&c)
}

// toSummary makes r, which the caller owns, a summary in place: a first
// sync indexes a hundred thousand records and need not copy each.
func toSummary(r *app.Record) *app.Record {
	r.Body = ""
	for i := range r.Conflict { // lists show that there is a conflict, not its texts
		r.Conflict[i].Body = ""
	}
	return r
}

// stored is r as its record key holds it: without the body, which has a
// key of its own (read with the record, not when the indexes are built).
func stored(r *app.Record) *app.Record {
	c := *r
	c.Body = ""
	return &c
}

// storedRecord is what a record key holds (schema 3): the record without
// its text, where the text is, and the create the record-operation index
// may not list, as a CBOR array. Each of the two names saves a key per
// record: a first sync writing four keys per record instead of two spent
// a sixth more CPU, most of it in Badger. A record key written before
// schema 3 holds the record alone, a CBOR map; decodeStored reads both.
type storedRecord struct {
	_      struct{} `cbor:",toarray"`
	Record *app.Record
	// TextIn names the operation whose patch holds the text: most records'
	// text is that of the operation that created or last set it. Nil when
	// the text is under the body key (merged from concurrent edits, or
	// written before schema 3) or there is none.
	TextIn *app.OpID
	// Unlinked names the create of a record written together with it,
	// which gets no record-operation link; the next write to the record
	// links it.
	Unlinked *app.OpID
}

// encodeStored encodes r as its record key holds it.
func encodeStored(r *app.Record, textIn, unlinked *app.OpID) ([]byte, error) {
	body := r.Body
	r.Body = ""
	enc, err := app.Marshal(&storedRecord{Record: r, TextIn: textIn, Unlinked: unlinked})
	r.Body = body
	return enc, err
}

// isMap reports whether the record key's value v is a CBOR map: a record
// alone, as written before schema 3.
func isMap(v []byte) bool { return len(v) > 0 && v[0]>>5 == 5 }

// storedNames is storedRecord without decoding the record: what start-up
// and a record's history need.
type storedNames struct {
	_        struct{} `cbor:",toarray"`
	Record   cbor.RawMessage
	TextIn   *app.OpID
	Unlinked *app.OpID
}

// namesOf reads the names a record key's value v holds; none in a value
// written before schema 3.
func namesOf(v []byte) (storedNames, error) {
	var n storedNames
	if isMap(v) {
		return n, nil
	}
	err := app.UnmarshalFields(v, &n)
	return n, err
}

// decodeStored decodes what a record key holds.
func decodeStored(v []byte) (*storedRecord, error) {
	if isMap(v) {
		r, err := app.DecodeRecord(v)
		if err != nil {
			return nil, err
		}
		return &storedRecord{Record: r}, nil
	}
	var sr storedRecord
	if err := app.Unmarshal(v, &sr); err != nil {
		return nil, &app.Error{Op: "decode record", Kind: app.Corrupt, Err: err}
	}
	if sr.Record == nil {
		return nil, &app.Error{Op: "decode record", Kind: app.Corrupt, Msg: "no record in the stored value"}
	}
	return &sr, nil
}

// eachValue calls fn with every (field, value) r holds.
func eachValue(tax *app.Taxonomy, r *app.Record, fn func(field, string)) {
	one := func(f field, v string) {
		if v != "" {
			fn(f, v)
		}
	}
	one(fieldKind, string(r.Kind))
	one(fieldStatus, string(r.Status))
	one(fieldSubRegion, string(r.SubRegion))
	one(fieldCountry, string(r.Country))
	one(fieldMeeting, string(r.Meeting))
	one(fieldStakeholder, string(r.Stakeholder))
	one(fieldAuthor, strings.ToLower(r.Author))
	one(fieldReplyTo, string(r.ReplyTo))
	for _, a := range r.Attention {
		one(fieldAttention, a)
	}
	for _, p := range r.Populations {
		one(fieldPopulation, string(p))
	}
	for _, t := range r.Tags {
		one(fieldTag, string(t))
	}
	for _, t := range r.Themes {
		one(fieldTheme, string(t))
		for _, a := range tax.Ancestors(t) {
			one(fieldTheme, string(a)) // duplicates are removed by the caller
		}
	}
}

// pids returns the postings record n is in.
func (ix *index) pids(n uint32) []uint32 {
	at := ix.pidAt[n]
	return ix.pidArena[at : at+uint32(ix.pidLen[n])]
}

// indexWriter applies changes to the index in one memdb transaction, so
// that each posting is copied once however many records change it.
type indexWriter struct {
	ix      *index
	mt      *memdb.Txn
	touched map[uint32]*posting
	adds    *wordAdds // new records' words, added to the word index together
}

func (ix *index) writer(mt *memdb.Txn) *indexWriter {
	return &indexWriter{ix: ix, mt: mt, touched: map[uint32]*posting{}, adds: &ix.adds}
}

// uncounted marks the ids of postings of fields without facet counts.
const uncounted = 1 << 31

func (w *indexWriter) pid(f field, v string) uint32 {
	id, ok := w.ix.pidOf[f][v]
	if !ok {
		ref := postingRef{f, v}
		ix := w.ix
		if f == fieldAuthor || f == fieldReplyTo || f == fieldAttention {
			id = uncounted | uint32(len(ix.ukeys))
			ix.ukeys = append(ix.ukeys, ref)
			ix.upost = append(ix.upost, nil)
		} else {
			id = uint32(len(ix.keys))
			ix.keys = append(ix.keys, ref)
		}
		ix.pidOf[f][v] = id
	}
	return id
}

func (ix *index) ref(id uint32) postingRef {
	if id&uncounted != 0 {
		return ix.ukeys[id&^uncounted]
	}
	return ix.keys[id]
}

// lookup returns the posting of value v of field f, nil if none.
func (ix *index) lookup(txn *memdb.Txn, f field, v string) (*posting, error) {
	if f == fieldAuthor || f == fieldReplyTo || f == fieldAttention {
		id, ok := ix.pidOf[f][v]
		if !ok {
			return nil, nil
		}
		return &posting{Field: f, Value: v, ID: id, Nums: ix.upost[id&^uncounted]}, nil
	}
	obj, err := txn.First(tablePostings, indexID, postingKey(f, v))
	if obj == nil || err != nil {
		return nil, err
	}
	return obj.(*posting), nil
}

func (w *indexWriter) posting(id uint32) (*posting, error) {
	if p := w.touched[id]; p != nil {
		return p, nil
	}
	if id&uncounted != 0 { // changed in place: readers wait for idxMu
		p := &posting{ID: id, Nums: w.ix.upost[id&^uncounted]}
		w.touched[id] = p
		return p, nil
	}
	ref := w.ix.ref(id)
	key := postingKey(ref.field, ref.value)
	p := &posting{Key: key, Field: ref.field, Value: ref.value, ID: id}
	obj, err := w.mt.First(tablePostings, indexID, key)
	if err != nil {
		return nil, err
	}
	if obj != nil {
		old := obj.(*posting)
		p.Nums = slices.Clone(old.Nums) // memdb objects are never modified
		p.Bits = old.Bits.clone()
	}
	w.touched[id] = p
	return p, nil
}

// reserve numbers records in the given order, before their postings are
// built: start-up does this when the word index comes from a snapshot, whose
// postings refer to those numbers.
func (ix *index) reserve(ids []app.RecordID) {
	ix.nums = make(map[app.RecordID]uint32, len(ids))
	for _, id := range ids {
		ix.number(id)
	}
}

func (ix *index) number(id app.RecordID) (uint32, bool) {
	if n, ok := ix.nums[id]; ok {
		return n, true
	}
	n := uint32(len(ix.recs))
	ix.nums[id] = n
	ix.recs = append(ix.recs, nil)
	ix.pidAt = append(ix.pidAt, 0)
	ix.pidLen = append(ix.pidLen, 0)
	ix.updated = append(ix.updated, 0)
	return n, false
}

// put indexes r (a summary) whose title and body hold the words ids,
// replacing its earlier version, whose words were oldIDs. When oldIDs is
// not empty both must be sorted. With words unset the word index is left
// alone (it came from a snapshot).
func (w *indexWriter) put(r *app.Record, ids, oldIDs []uint32, words bool) error {
	ix := w.ix
	n, exists := ix.number(r.ID)
	exists = exists && ix.recs[n] != nil
	var now []uint32
	eachValue(ix.tax, r, func(f field, v string) { now = append(now, w.pid(f, v)) })
	slices.Sort(now)
	now = slices.Compact(now)
	before := ix.pids(n)
	for _, id := range before {
		if _, found := slices.BinarySearch(now, id); !found {
			p, err := w.posting(id)
			if err != nil {
				return err
			}
			if p.Bits != nil {
				p.Bits.without(n)
			} else if i, found := slices.BinarySearch(p.Nums, n); found {
				p.Nums = slices.Delete(p.Nums, i, i+1)
			}
		}
	}
	for _, id := range now {
		if _, found := slices.BinarySearch(before, id); !found {
			p, err := w.posting(id)
			if err != nil {
				return err
			}
			if p.Bits != nil {
				p.Bits = p.Bits.with(n)
			} else if k := len(p.Nums); k == 0 || p.Nums[k-1] < n {
				p.Nums = append(p.Nums, n)
			} else if i, found := slices.BinarySearch(p.Nums, n); !found {
				p.Nums = slices.Insert(p.Nums, i, n)
			}
		}
	}
	ix.recs[n], ix.updated[n] = r, r.Updated
	if len(now) <= len(before) {
		copy(ix.pidArena[ix.pidAt[n]:], now) // fits where the old list was
	} else {
		// The old list's space is left unused: records rarely gain values.
		ix.pidAt[n] = uint32(len(ix.pidArena))
		ix.pidArena = append(ix.pidArena, now...)
	}
	ix.pidLen[n] = uint16(len(now))
	if !words {
		return nil
	}
	if exists {
		if w.adds.holds(n) { // created earlier in this batch: its words first
			w.adds.flush(ix.text)
		}
		var gone, added []uint32
		for _, id := range oldIDs {
			if _, found := slices.BinarySearch(ids, id); !found {
				gone = append(gone, id)
			}
		}
		for _, id := range ids {
			if _, found := slices.BinarySearch(oldIDs, id); !found {
				added = append(added, id)
			}
		}
		ix.text.remove(n, gone)
		ix.text.add(n, added)
	} else {
		w.adds.put(n, ids)
	}
	return nil
}

// commit stores the changed postings and tells watchers.
func (w *indexWriter) commit() error {
	w.adds.flush(w.ix.text)
	limit := uint32(len(w.ix.recs))
	for _, p := range w.touched {
		if p.ID&uncounted != 0 {
			w.ix.upost[p.ID&^uncounted] = p.Nums
			continue
		}
		switch {
		case p.Bits == nil && denseEnough(len(p.Nums), limit):
			p.Bits = make(bitmap, (limit+63)/64)
			for _, n := range p.Nums {
				p.Bits[n/64] |= 1 << (n % 64)
			}
			p.Nums = nil
		case p.Bits != nil && sparseAgain(p.Bits.count(), limit):
			p.Nums = make([]uint32, 0, p.Bits.count())
			p.Bits.each(func(n uint32) { p.Nums = append(p.Nums, n) })
			p.Bits = nil
		}
		if err := w.mt.Insert(tablePostings, p); err != nil {
			return err
		}
	}
	w.mt.Commit()
	close(w.ix.changed)
	w.ix.changed = make(chan struct{})
	return nil
}
