package storage

import (
	"fmt"

	"github.com/cartagena-c40/consulta/app"
	"github.com/hashicorp/go-memdb"
)

// Table and index names of the in-memory database.
const (
	tableRecords  = "records"
	tablePostings = "postings"

	indexID = "id"
)

// schema is the whole in-memory database. Objects are immutable once
// inserted: a change inserts a new copy.
//
// Records are found by id in the records table. Every filterable field is
// indexed by the postings table: one object per (field, value) holding the
// set of records with that value, as a bitmap over record numbers.
//
// Why postings rather than one memdb index per field: memdb keeps one radix
// leaf (about 400 bytes with its watch channel) per indexed (value, record)
// pair. Twelve field indexes over 100,000 records measured 660 MB and 6.4 s
// to build on the reference machine, against targets of 400 MB resident and
// 1.5 s for the whole start-up. A posting per value keeps memdb's snapshots
// and watches, and costs 12.5 kB per value: under 10 MB in all.
func schema() *memdb.DBSchema {
	return &memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
		tableRecords: {
			Name: tableRecords,
			Indexes: map[string]*memdb.IndexSchema{
				indexID: {Name: indexID, Unique: true, Indexer: recordIDIndexer{}},
			},
		},
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
	Bits  bitmap // never modified once inserted
}

func postingKey(f field, value string) string { return fieldNames[f] + "\x00" + value }

// recordIDIndexer indexes *app.Record by id without reflection, because
// start-up runs it 100,000 times.
type recordIDIndexer struct{}

func (recordIDIndexer) FromObject(obj any) (bool, []byte, error) {
	r, ok := obj.(*app.Record)
	if !ok {
		return false, nil, fmt.Errorf("not a record: %T", obj)
	}
	return true, append([]byte(r.ID), 0), nil
}

func (recordIDIndexer) FromArgs(args ...any) ([]byte, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("want one argument, got %d", len(args))
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("argument must be a string: %#v", args[0])
	}
	return append([]byte(s), 0), nil
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
