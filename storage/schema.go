package storage

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/cartagena-c40/consulta/app"
	"github.com/hashicorp/go-memdb"
)

// Table and index names of the in-memory database.
const (
	tableRecords = "records"

	indexID          = "id"
	indexKind        = "kind"
	indexMeeting     = "meeting"
	indexSubRegion   = "subregion"
	indexCountry     = "country"
	indexTheme       = "theme"
	indexStakeholder = "stakeholder"
	indexPopulation  = "population"
	indexTag         = "tag"
	indexStatus      = "status"
	indexAuthor      = "author"
	indexUpdated     = "updated"
	indexReplyTo     = "reply_to"
)

// schema is the whole in-memory database. Objects stored are *app.Record
// and are immutable once inserted: a change inserts a new copy.
func schema() *memdb.DBSchema {
	return &memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
		tableRecords: recordsTable(),
	}}
}

func recordsTable() *memdb.TableSchema {
	field := func(name string, get func(*app.Record) string) *memdb.IndexSchema {
		return &memdb.IndexSchema{Name: name, AllowMissing: true, Indexer: stringIndexer(get)}
	}
	set := func(name string, get func(*app.Record) []string) *memdb.IndexSchema {
		return &memdb.IndexSchema{Name: name, AllowMissing: true, Indexer: setIndexer(get)}
	}
	idx := []*memdb.IndexSchema{
		{Name: indexID, Unique: true, Indexer: stringIndexer(func(r *app.Record) string { return string(r.ID) })},
		field(indexKind, func(r *app.Record) string { return string(r.Kind) }),
		field(indexMeeting, func(r *app.Record) string { return string(r.Meeting) }),
		field(indexSubRegion, func(r *app.Record) string { return string(r.SubRegion) }),
		field(indexCountry, func(r *app.Record) string { return string(r.Country) }),
		set(indexTheme, func(r *app.Record) []string { return strs(r.Themes) }),
		field(indexStakeholder, func(r *app.Record) string { return string(r.Stakeholder) }),
		set(indexPopulation, func(r *app.Record) []string { return strs(r.Populations) }),
		set(indexTag, func(r *app.Record) []string { return strs(r.Tags) }),
		field(indexStatus, func(r *app.Record) string { return string(r.Status) }),
		field(indexAuthor, func(r *app.Record) string { return strings.ToLower(r.Author) }),
		field(indexReplyTo, func(r *app.Record) string { return string(r.ReplyTo) }),
		{Name: indexUpdated, Indexer: updatedIndexer{}},
	}
	t := &memdb.TableSchema{Name: tableRecords, Indexes: map[string]*memdb.IndexSchema{}}
	for _, i := range idx {
		t.Indexes[i.Name] = i
	}
	return t
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// stringIndexer indexes one string field of a record. It is typed rather
// than reflective because index rebuild at start-up runs it a million times.
type stringIndexer func(*app.Record) string

func (f stringIndexer) FromObject(obj any) (bool, []byte, error) {
	r, ok := obj.(*app.Record)
	if !ok {
		return false, nil, fmt.Errorf("not a record: %T", obj)
	}
	v := f(r)
	if v == "" {
		return false, nil, nil
	}
	return true, append([]byte(v), 0), nil
}

func (f stringIndexer) FromArgs(args ...any) ([]byte, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("want one argument, got %d", len(args))
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("argument must be a string: %#v", args[0])
	}
	return append([]byte(s), 0), nil
}

// setIndexer indexes a multi-valued field: one entry per value.
type setIndexer func(*app.Record) []string

func (f setIndexer) FromObject(obj any) (bool, [][]byte, error) {
	r, ok := obj.(*app.Record)
	if !ok {
		return false, nil, fmt.Errorf("not a record: %T", obj)
	}
	vs := f(r)
	out := make([][]byte, 0, len(vs))
	for _, v := range vs {
		if v != "" {
			out = append(out, append([]byte(v), 0))
		}
	}
	return len(out) > 0, out, nil
}

func (f setIndexer) FromArgs(args ...any) ([]byte, error) {
	return stringIndexer(nil).FromArgs(args...)
}

// updatedIndexer indexes the update time, big-endian so byte order is time
// order.
type updatedIndexer struct{}

func (updatedIndexer) FromObject(obj any) (bool, []byte, error) {
	r, ok := obj.(*app.Record)
	if !ok {
		return false, nil, fmt.Errorf("not a record: %T", obj)
	}
	return true, binary.BigEndian.AppendUint64(nil, uint64(r.Updated)), nil
}

func (updatedIndexer) FromArgs(args ...any) ([]byte, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("want one argument, got %d", len(args))
	}
	h, ok := args[0].(app.HLC)
	if !ok {
		return nil, fmt.Errorf("argument must be an app.HLC: %#v", args[0])
	}
	return binary.BigEndian.AppendUint64(nil, uint64(h)), nil
}
