package relay

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cartagena-c40/consulta/app"
)

// item is an operation downloaded and opened, not yet applied.
type item struct {
	seq  uint64 // the operation's, within its device
	sseq uint64 // the message's, within the stream
	op   []byte
}

// pending is what a download holds between reading and applying.
type pending struct {
	ops    map[app.DeviceID][]item
	seen   map[app.DeviceID]uint64 // the last sequence opened per device, in this scan
	failed map[app.DeviceID]bool   // Receive refused some: apply no more this round
	count  int
}

// download applies what the stream holds after the cursor: each message
// opened, checked against its address, and each device's operations given
// to Receive in order. The cursor moves past what was applied or refused
// for good, never past an operation that waits.
func (r *round) download(ctx context.Context) error {
	info, err := r.stream.Info(ctx)
	if err != nil {
		return err
	}
	last := info.State.LastSeq
	r.created = info.Created
	r.cursor = r.loadCursor(last)
	if r.cursor >= last {
		r.atEnd = true
		return nil
	}
	p := &pending{ops: map[app.DeviceID][]item{}, seen: map[app.DeviceID]uint64{}, failed: map[app.DeviceID]bool{}}
	done := r.cursor // the last stream sequence read
	read := 0
	err = r.scan(ctx, []string{r.n.prefix + ".*"}, r.cursor+1, last, func(m jetstream.Msg, sseq uint64) error {
		r.take(p, m, sseq)
		done = sseq
		if read++; read%(2*chunk) == 0 {
			if err := r.apply(p); err != nil {
				return err
			}
			r.saveCursor(p.cursor(done))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := r.apply(p); err != nil {
		return err
	}
	if err := r.backfill(ctx, p); err != nil {
		return err
	}
	held, err := r.svc.Vector()
	if err != nil {
		return err
	}
	for _, dev := range sortedDevices(p.ops) {
		if items := p.ops[dev]; !p.failed[dev] {
			r.log.Info("relay: operations wait for earlier ones the relay does not hold", "device", dev, "from", items[0].seq, "held", held[dev])
		}
	}
	r.res.Waiting = p.count
	r.saveCursor(p.cursor(done))
	r.atEnd = done == last && p.count == 0
	return nil
}

// scan reads the stream's messages on subjects from stream sequence from
// up to until, in order, with an ordered consumer, and hands each to fn.
// It stops early, without error, when no message comes for the timeout.
func (r *round) scan(ctx context.Context, subjects []string, from, until uint64, fn func(m jetstream.Msg, sseq uint64) error) error {
	c, err := r.js.OrderedConsumer(ctx, r.n.stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: subjects,
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    from,
	})
	if err != nil {
		return err
	}
	it, err := c.Messages(jetstream.PullMaxMessages(1000))
	if err != nil {
		return err
	}
	defer it.Stop()
	for {
		nctx, cancel := context.WithTimeout(ctx, r.timeout)
		m, err := it.Next(jetstream.NextContext(nctx))
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return nil // the rest is not there (or not coming): next round
			}
			return err
		}
		meta, err := m.Metadata()
		if err != nil {
			return err
		}
		sseq := meta.Sequence.Stream
		if sseq > until {
			return nil
		}
		if err := fn(m, sseq); err != nil {
			return err
		}
		if sseq == until {
			return nil
		}
	}
}

// take opens a message and keeps its operation in p, or refuses it.
func (r *round) take(p *pending, m jetstream.Msg, sseq uint64) {
	subject := m.Subject()
	dev, ok := r.n.device(subject)
	if !ok {
		r.refuse(subject, sseq, "not a device's subject")
		return
	}
	seq, ok := parseSeq(m.Headers().Get(headerSeq))
	if !ok {
		r.refuse(subject, sseq, "no sequence header")
		return
	}
	raw, err := r.kr.open(dev, seq, m.Data())
	if err != nil {
		r.refuse(subject, sseq, err.Error())
		return
	}
	o, err := app.DecodeOp(raw)
	switch {
	case err != nil:
		r.refuse(subject, sseq, "the operation does not decode: "+err.Error())
		return
	case o.Device != dev || o.Seq != seq:
		r.refuse(subject, sseq, fmt.Sprintf("carries operation %s, not %s/%d", o.ID(), dev, seq))
		return
	case seq <= p.seen[dev]:
		r.refuse(subject, sseq, fmt.Sprintf("repeats operation %s/%d after %d: replayed or out of order", dev, seq, p.seen[dev]))
		return
	}
	p.seen[dev] = seq
	p.ops[dev] = append(p.ops[dev], item{seq: seq, sseq: sseq, op: raw})
	p.count++
}

// apply gives Receive, device by device, the operations of p that follow
// what this laptop holds without a gap, and keeps the rest in p.
// Operations Receive refuses are logged and wait, with the rest of their
// device's, for the next round (a newer build may take them).
func (r *round) apply(p *pending) error {
	held, err := r.svc.Vector()
	if err != nil {
		return err
	}
	for _, dev := range sortedDevices(p.ops) {
		items := p.ops[dev]
		slices.SortFunc(items, func(a, b item) int { return cmp.Compare(a.seq, b.seq) })
		k := 0
		for k < len(items) && items[k].seq <= held[dev] {
			k++
		}
		items = items[k:]
		n := 0
		for n < len(items) && items[n].seq == held[dev]+uint64(n)+1 && !p.failed[dev] {
			n++
		}
		for start := 0; start < n; start += chunk {
			end := min(start+chunk, n)
			raws := make([][]byte, end-start)
			for i := range raws {
				raws[i] = items[start+i].op
			}
			got, err := r.svc.Receive(raws)
			if err != nil {
				switch app.KindOf(err) {
				case app.Corrupt, app.Invalid, app.Foreign, app.Forbidden:
				default:
					return err
				}
				r.log.Warn("relay: operations refused", "device", dev, "from", items[start].seq, "to", items[end-1].seq, "err", err)
				p.failed[dev] = true
				n = start
				break
			}
			r.res.Downloaded += got
		}
		p.count -= k + n
		if items = items[n:]; len(items) == 0 {
			delete(p.ops, dev)
		} else {
			p.ops[dev] = items
		}
	}
	return nil
}

// backfill looks, for each device whose operations in p wait for earlier
// ones, for those earlier ones in the stream before the cursor (a laptop
// restored from a backup holds less than its cursor says), and applies
// what it finds.
func (r *round) backfill(ctx context.Context, p *pending) error {
	held, err := r.svc.Vector()
	if err != nil {
		return err
	}
	found := false
	for _, dev := range sortedDevices(p.ops) {
		items := p.ops[dev]
		if p.failed[dev] || items[0].seq <= held[dev]+1 {
			continue
		}
		seen := map[app.DeviceID]uint64{}
		q := &pending{ops: map[app.DeviceID][]item{}, seen: seen}
		err := r.scan(ctx, []string{r.n.subject(dev)}, 1, items[0].sseq-1, func(m jetstream.Msg, sseq uint64) error {
			r.take(q, m, sseq)
			return nil
		})
		if err != nil {
			return err
		}
		for _, it := range q.ops[dev] {
			if it.seq > held[dev] && it.seq < items[0].seq {
				p.ops[dev] = append(p.ops[dev], it)
				p.count++
				found = true
			}
		}
	}
	if !found {
		return nil
	}
	return r.apply(p)
}

// cursor returns the stream sequence up to which p holds nothing that
// waits, having read up to done.
func (p *pending) cursor(done uint64) uint64 {
	c := done
	for _, items := range p.ops {
		for _, it := range items {
			c = min(c, it.sseq-1)
		}
	}
	return c
}

// loadCursor returns the stream sequence this laptop has taken everything
// up to from this relay: 0 when it has none, or one of another stream (the
// relay's stream was made again) or beyond the stream's end.
func (r *round) loadCursor(last uint64) uint64 {
	created, seq, ok := strings.Cut(r.svc.Setting(r.cursorKey), " ")
	if !ok || created != r.created.UTC().Format(time.RFC3339Nano) {
		return 0
	}
	n, err := strconv.ParseUint(seq, 10, 64)
	if err != nil || n > last {
		return 0
	}
	return n
}

// saveCursor keeps the cursor in the local settings, if it moved.
func (r *round) saveCursor(c uint64) {
	if c == r.cursor {
		return
	}
	r.cursor = c
	v := r.created.UTC().Format(time.RFC3339Nano) + " " + strconv.FormatUint(c, 10)
	if err := r.svc.SetSetting(r.cursorKey, v); err != nil {
		r.log.Warn("relay: cannot keep the cursor", "err", err)
	}
}
