package storage

import (
	"github.com/hashicorp/go-memdb"
)

// Table and index names of the in-memory database.
const (
	tablePostings = "postings"

	indexID = "id"
)

// schema is the whole in-memory database: the postings table, which
// indexes the filterable fields with facet counts (kind, status,
// sub-region, country, meeting, theme, stakeholder group, population, tag).
// It holds one object per (field, value): the set of records with that
// value, as a sorted list of record numbers or a bitmap. Objects are
// immutable once inserted: a change inserts a new copy. Author, replies-to
// and attention, thousands of values of a few records each, are kept beside
// it (index.upost), as the words are: as memdb objects they were three
// quarters of the index's work during a first sync.
//
// Why postings rather than one memdb index per field over a records table:
// memdb keeps one radix leaf (about 400 bytes with its watch channel) per
// indexed (value, record) pair. Twelve field indexes over 100,000 records
// measured 660 MB and 6.4 s to build on the reference machine, against
// targets of 400 MB resident and 1.5 s for the whole start-up. A posting per
// value keeps memdb's snapshots, costs 4 bytes per (value, record) pair
// (about 5 MB for 100,000 records), and answers a filter by turning a few
// postings into bitmaps and intersecting them.
func schema() *memdb.DBSchema {
	return &memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
		tablePostings: {
			Name: tablePostings,
			Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: &memdb.StringFieldIndex{Field: "Key"}},
			},
		},
	}}
}

// posting is the set of records holding one value of one field.
type posting struct {
	Key   string // field name, NUL, value
	Field field
	Value string
	ID    uint32 // dense number of this posting, for counting facets
	// The set itself, never modified once inserted: a sorted list of
	// record numbers while it is sparse, a bitmap once it is dense.
	Nums []uint32
	Bits bitmap
}

// denseEnough says whether a posting of n records, among records numbered
// below limit, is better kept as a bitmap: a bitmap costs limit/8 bytes
// and a union or intersection a microsecond whatever it holds, a list 4
// bytes and a few nanoseconds per member. Every write copies the postings it
// changes, so "active", with most of 100,000 records, must not be a list.
func denseEnough(n int, limit uint32) bool { return n*32 >= int(limit) && n >= minDense }

// minDense keeps small postings lists; tests lower it to exercise bitmaps.
var minDense = 256

// sparseAgain says whether a bitmap posting has thinned out enough to go
// back to a list; half the density of denseEnough, so that a posting near
// the line does not flip at every write.
func sparseAgain(n int, limit uint32) bool { return n*64 < int(limit) }

func postingKey(f field, value string) string { return fieldNames[f] + "\x00" + value }

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
