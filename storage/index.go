package storage

import (
	"slices"
	"strings"

	"github.com/cartagena-c40/consulta/app"
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
	numFields
)

var fieldNames = [numFields]string{"kind", "status", "subregion", "country", "meeting", "theme",
	"stakeholder", "population", "tag", "author", "reply_to"}

// index is everything in memory beside memdb's tables: the record numbers
// that postings refer to, and the word index. Store.idxMu guards it.
type index struct {
	tax  *app.Taxonomy
	nums map[app.RecordID]uint32
	recs []*app.Record // by record number: the current version
	pids [][]uint32    // by record number: the postings it is in, sorted

	pidOf map[string]uint32 // posting key -> posting id
	keys  []postingRef      // by posting id
	text  *textIndex
}

type postingRef struct {
	field field
	value string
}

func newIndex(tax *app.Taxonomy) *index {
	return &index{tax: tax, nums: map[app.RecordID]uint32{}, pidOf: map[string]uint32{}, text: newTextIndex()}
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

// postingWriter gathers the posting changes of one memdb transaction, so
// that each posting is copied once however many records change it.
type postingWriter struct {
	ix      *index
	mt      *memdb.Txn
	touched map[uint32]*posting
}

func (w *postingWriter) pid(f field, v string) uint32 {
	key := postingKey(f, v)
	id, ok := w.ix.pidOf[key]
	if !ok {
		id = uint32(len(w.ix.keys))
		w.ix.pidOf[key] = id
		w.ix.keys = append(w.ix.keys, postingRef{f, v})
	}
	return id
}

func (w *postingWriter) posting(id uint32) (*posting, error) {
	if p := w.touched[id]; p != nil {
		return p, nil
	}
	ref := w.ix.keys[id]
	key := postingKey(ref.field, ref.value)
	p := &posting{Key: key, Field: ref.field, Value: ref.value, ID: id}
	obj, err := w.mt.First(tablePostings, indexID, key)
	if err != nil {
		return nil, err
	}
	if obj != nil {
		p.Bits = obj.(*posting).Bits.clone() // memdb objects are never modified
	}
	w.touched[id] = p
	return p, nil
}

// put indexes rs, replacing earlier versions of them, in memdb's write
// transaction mt. The caller holds idxMu for writing.
func (ix *index) put(mt *memdb.Txn, rs []*app.Record) error {
	w := &postingWriter{ix: ix, mt: mt, touched: map[uint32]*posting{}}
	for _, r := range rs {
		n, exists := ix.nums[r.ID]
		var old *app.Record
		if exists {
			old = ix.recs[n]
		} else {
			n = uint32(len(ix.recs))
			ix.nums[r.ID] = n
			ix.recs = append(ix.recs, nil)
			ix.pids = append(ix.pids, nil)
		}
		var now []uint32
		eachValue(ix.tax, r, func(f field, v string) { now = append(now, w.pid(f, v)) })
		slices.Sort(now)
		now = slices.Compact(now)
		before := ix.pids[n]
		for _, id := range before {
			if _, found := slices.BinarySearch(now, id); !found {
				p, err := w.posting(id)
				if err != nil {
					return err
				}
				p.Bits.without(n)
			}
		}
		for _, id := range now {
			if _, found := slices.BinarySearch(before, id); !found {
				p, err := w.posting(id)
				if err != nil {
					return err
				}
				p.Bits = p.Bits.with(n)
			}
		}
		ix.recs[n], ix.pids[n] = r, now
		ix.text.put(n, old, r)
		if err := mt.Insert(tableRecords, r); err != nil {
			return err
		}
	}
	for _, p := range w.touched {
		if err := mt.Insert(tablePostings, p); err != nil {
			return err
		}
	}
	return nil
}
