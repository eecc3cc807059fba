package relay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
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
	// keyless is the stream sequence of the first message sealed with a
	// key this laptop does not hold (yet): read again once it holds more.
	keyless uint64
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
	from := r.cursor + 1
	if k := r.loadKeyless(); k.sseq != 0 && k.keys < len(r.kr.keys) {
		from = min(from, k.sseq) // read again what did not open then
		r.saveKeyless(keyless{})
	}
	if from > last {
		r.atEnd = true
		return nil
	}
	p := &pending{ops: map[app.DeviceID][]item{}, seen: map[app.DeviceID]uint64{}, failed: map[app.DeviceID]bool{}}
	done := r.cursor // the last stream sequence read
	read := 0
	defer func() {
		if p.keyless != 0 {
			r.saveKeyless(keyless{sseq: p.keyless, keys: len(r.kr.keys)})
		}
	}()
	err = r.scan(ctx, r.n.prefix+".*", from, last, func(m *nats.Msg, sseq uint64) error {
		r.take(p, m, sseq)
		done = max(done, sseq)
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

// batch is how many messages one direct get asks for, and batchBytes
// about how many bytes.
const (
	batch      = 1000
	batchBytes = 4 << 20
)

// readAhead is how many messages reading runs ahead of applying, at most.
const readAhead = 256

// directBatch is a batched direct get (JetStream's JSApiMsgGetRequest).
type directBatch struct {
	Seq      uint64 `json:"seq"`
	NextFor  string `json:"next_by_subj,omitempty"`
	Batch    int    `json:"batch"`
	MaxBytes int    `json:"max_bytes"`
}

// scan reads the stream's messages on subject (a filter: it may end in a
// wildcard) from stream sequence from up to until, in order, and hands
// each to fn. The reading (batched direct gets, fetch) runs ahead of fn
// by up to readAhead messages. It stops early, without error, when no
// answer comes for the timeout (the rest waits for the next round).
func (r *round) scan(ctx context.Context, subject string, from, until uint64, fn func(m *nats.Msg, sseq uint64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs := make(chan *nats.Msg, readAhead)
	var ferr error // fetch's, read once msgs is closed
	go func() {
		defer close(msgs)
		ferr = r.fetch(ctx, subject, from, until, msgs)
	}()
	for m := range msgs {
		sseq, _ := strconv.ParseUint(relayHeader(m.Header, jetstream.SequenceHeader), 10, 64)
		if err := fn(m, sseq); err != nil {
			cancel()
			for range msgs { // let fetch end
			}
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return ferr
}

// fetch sends the stream's messages on subject from stream sequence from
// up to until to out, in order, a batch per direct get. It returns nil at
// until, when the stream holds no more, and when no answer comes for the
// timeout.
func (r *round) fetch(ctx context.Context, subject string, from, until uint64, out chan<- *nats.Msg) error {
	inbox := r.nc.NewInbox()
	sub, err := r.nc.SubscribeSync(inbox)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	req := directBatch{Batch: batch, MaxBytes: batchBytes}
	if subject != r.n.prefix+".*" { // every message of the stream is on one of those
		req.NextFor = subject
	}
	for from <= until {
		req.Seq = from
		body, _ := json.Marshal(req)
		if err := r.nc.PublishRequest("$JS.API.DIRECT.GET."+r.n.stream, inbox, body); err != nil {
			return err
		}
		got := 0
	answers:
		for {
			nctx, cancel := context.WithTimeout(ctx, r.timeout)
			m, err := sub.NextMsgWithContext(nctx)
			cancel()
			switch {
			case ctx.Err() != nil:
				return ctx.Err()
			case errors.Is(err, context.DeadlineExceeded):
				return nil
			case err != nil:
				return err
			}
			switch status := m.Header.Get("Status"); status {
			case "":
			case "204": // the end of the batch
				break answers
			case "404": // nothing more
				return nil
			default:
				return fmt.Errorf("reading the stream: %s %s", status, m.Header.Get("Description"))
			}
			sseq, err := strconv.ParseUint(relayHeader(m.Header, jetstream.SequenceHeader), 10, 64)
			if err != nil || sseq < from {
				return errors.New("reading the stream: an answer without its sequence, or out of order")
			}
			if sseq > until || sseq == math.MaxUint64 {
				return nil
			}
			select {
			case out <- m:
			case <-ctx.Done():
				return ctx.Err()
			}
			from, got = sseq+1, got+1
		}
		if got == 0 {
			return nil
		}
	}
	return nil
}

// take opens a message and keeps its operation in p, or refuses it.
func (r *round) take(p *pending, m *nats.Msg, sseq uint64) {
	subject := relayHeader(m.Header, jetstream.SubjectHeader)
	dev, seq, raw, err := r.openMsg(subject, m.Header, m.Data)
	switch {
	case forged(m.Header):
		r.refuse(subject, sseq, "carries headers only the relay sets, or several sequence numbers")
		return
	case errors.Is(err, errKey):
		if p.keyless == 0 {
			p.keyless = sseq
		}
		r.res.Unopened++
		r.log.Info("relay: a message sealed with a key this laptop does not hold; read again once it holds more", "stream", r.n.stream, "stream_seq", sseq, "subject", subject)
		return
	case err != nil:
		r.refuse(subject, sseq, err.Error())
		return
	case seq <= p.seen[dev]:
		r.refuse(subject, sseq, fmt.Sprintf("repeats operation %s/%d after %d: replayed or out of order", dev, seq, p.seen[dev]))
		return
	}
	p.seen[dev] = seq
	p.ops[dev] = append(p.ops[dev], item{seq: seq, sseq: sseq, op: raw})
	p.count++
}

// relayHeader returns the value the relay gave header key in a direct
// get's answer: the last one, after any the message was published with.
func relayHeader(h nats.Header, key string) string {
	v := h.Values(key)
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// forged reports whether a direct get's answer carries a header the relay
// sets (Nats-Sequence, Nats-Subject) more than once, which only a message
// published with them does, or several sequence numbers of Consulta's.
func forged(h nats.Header) bool {
	return len(h.Values(jetstream.SequenceHeader)) > 1 || len(h.Values(jetstream.SubjectHeader)) > 1 || len(h.Values(headerSeq)) > 1
}

// openMsg opens a message on subject and checks that it carries the
// operation its address names; it returns that address and the operation.
func (r *round) openMsg(subject string, h nats.Header, data []byte) (app.DeviceID, uint64, []byte, error) {
	dev, ok := r.n.device(subject)
	if !ok {
		return "", 0, nil, errors.New("not a device's subject")
	}
	seq, ok := parseSeq(h.Get(headerSeq))
	if !ok {
		return "", 0, nil, errors.New("no sequence header")
	}
	raw, err := r.kr.open(dev, seq, data)
	if err != nil {
		return "", 0, nil, err
	}
	o, err := app.DecodeOp(raw)
	if err != nil {
		return "", 0, nil, errors.New("the operation does not decode: " + err.Error())
	}
	if o.Device != dev || o.Seq != seq {
		return "", 0, nil, fmt.Errorf("carries operation %s, not %s/%d", o.ID(), dev, seq)
	}
	return dev, seq, raw, nil
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
		err := r.scan(ctx, r.n.subject(dev), 1, items[0].sseq-1, func(m *nats.Msg, sseq uint64) error {
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
	created, seq, ok := strings.Cut(r.svc.Setting(settingCursor+r.relayKey), " ")
	if !ok || created != r.streamStamp() {
		return 0
	}
	n, err := strconv.ParseUint(seq, 10, 64)
	if err != nil || n > last {
		return 0
	}
	return n
}

// streamStamp names the stream the local settings speak of: its
// creation time (a stream made again starts from its beginning).
func (r *round) streamStamp() string { return r.created.UTC().Format(time.RFC3339Nano) }

// settingKeyless starts the name of the local setting that keeps where a
// relay's stream first held a message sealed with a key this laptop did
// not hold; a hash of the relay's URL follows.
const settingKeyless = "relay-keyless/"

// keyless is where a stream first held a message this laptop had no key
// for, and how many keys it held then. A laptop that has not heard of a
// removal cannot open what was sealed after it; once it takes the new key
// (the removal itself is sealed with the key before it), the next round
// reads again from there.
type keyless struct {
	sseq uint64
	keys int
}

func (r *round) loadKeyless() keyless {
	var k keyless
	var created string
	v := r.svc.Setting(settingKeyless + r.relayKey)
	if n, _ := fmt.Sscanf(v, "%s %d %d", &created, &k.sseq, &k.keys); n != 3 || created != r.streamStamp() {
		return keyless{}
	}
	return k
}

func (r *round) saveKeyless(k keyless) {
	v := ""
	if k.sseq != 0 {
		if old := r.loadKeyless(); old.sseq != 0 && old.sseq < k.sseq && old.keys == k.keys {
			return // the earlier one stands
		}
		v = fmt.Sprintf("%s %d %d", r.streamStamp(), k.sseq, k.keys)
	}
	if err := r.svc.SetSetting(settingKeyless+r.relayKey, v); err != nil {
		r.log.Warn("relay: cannot keep where to read again", "err", err)
	}
}

// saveCursor keeps the cursor in the local settings, if it moved.
func (r *round) saveCursor(c uint64) {
	if c == r.cursor {
		return
	}
	r.cursor = c
	v := r.streamStamp() + " " + strconv.FormatUint(c, 10)
	if err := r.svc.SetSetting(settingCursor+r.relayKey, v); err != nil {
		r.log.Warn("relay: cannot keep the cursor", "err", err)
	}
}
