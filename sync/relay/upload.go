package relay

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cartagena-c40/consulta/app"
)

// upload publishes, for each device this laptop holds operations of, those
// after the last one the stream holds on its subject. Each message expects
// the subject's last message to be the one it follows, so two laptops
// uploading one device's operations at once neither duplicate nor reorder
// them: the one that loses reads the subject's last again and carries on
// after it.
func (r *round) upload(ctx context.Context) error {
	v, err := r.svc.Vector()
	if err != nil {
		return err
	}
	// Before uploading, the cursor is at the stream's end when download
	// reached it; if what this round publishes is all that comes after,
	// the cursor can skip it (this laptop holds it).
	first, next := uint64(0), r.cursor+1
	contiguous := r.atEnd
	var errs []error
	for _, dev := range sortedDevices(v) {
		err := r.uploadDevice(ctx, dev, v[dev], func(sseq uint64) {
			if first == 0 {
				first = sseq
			}
			if sseq != next {
				contiguous = false
			}
			next = sseq + 1
		})
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, fmt.Errorf("device %s: %w", dev, err))
		}
	}
	if contiguous && first != 0 {
		r.saveCursor(next - 1)
	}
	return errors.Join(errs...)
}

// window is how many messages an upload has in flight at most.
const window = 256

// uploadDevice publishes dev's operations after the stream's last up to
// have; published is called with each new message's stream sequence, in
// stream order.
//
// Messages are pipelined, up to window of them awaiting their
// acknowledgement. The first of a batch expects the subject's last
// message to be the one the stream holds (its stream sequence, read just
// before); each following one expects the stream's last message to be the
// one before it (its Nats-Msg-Id, device/sequence), which the relay checks
// as it stores each message in the order it received them. So a message
// is stored only right after its predecessor: when one is refused (another
// laptop published meanwhile, to this subject or another) or not
// acknowledged, those after it are refused too (unless another laptop
// stored the same predecessor, which keeps the order), and the batch ends;
// the subject's last is read again and a new batch carries on after it.
func (r *round) uploadDevice(ctx context.Context, dev app.DeviceID, have uint64, published func(sseq uint64)) error {
	opSeq, last, err := r.subjectLast(ctx, dev)
	if err != nil {
		return err
	}
	stuck := 0 // re-reads of the subject's last that found no progress
	for opSeq < have {
		refused, err := r.sendBatch(ctx, dev, opSeq, last, have, published)
		if err != nil || refused == nil {
			return err
		}
		// Something was refused or not acknowledged: carry on after
		// whatever the subject ends with.
		was := opSeq
		if opSeq, last, err = r.subjectLast(ctx, dev); err != nil {
			return err
		}
		if opSeq > was {
			stuck = 0
		} else if stuck++; stuck == 3 {
			return fmt.Errorf("the relay refuses operation %d after the subject's last, %d: %w", opSeq+1, opSeq, refused)
		}
	}
	return nil
}

// errDuplicate stands for a message the relay already held under its
// Nats-Msg-Id.
var errDuplicate = errors.New("already held (duplicate message id)")

// sendBatch publishes dev's operations after opSeq, up to have, the first
// expecting the subject's last message at stream sequence last, and
// collects every acknowledgement before returning. refused is the first
// message's refusal or missing acknowledgement, nil when all were stored;
// err is an error that ends the upload (the context's, the store's).
func (r *round) sendBatch(ctx context.Context, dev app.DeviceID, opSeq, last, have uint64, published func(sseq uint64)) (refused, err error) {
	subject := r.n.subject(dev)
	var inflight []jetstream.PubAckFuture // oldest first
	timer := time.NewTimer(r.timeout)
	defer timer.Stop()
	take := func() {
		f := inflight[0]
		inflight = inflight[1:]
		timer.Reset(r.timeout + time.Second) // the client's own timeout comes first
		select {
		case ack := <-f.Ok():
			if ack.Duplicate {
				refused = cmp.Or(refused, errDuplicate)
				return
			}
			r.res.Uploaded++
			published(ack.Sequence)
		case err := <-f.Err():
			refused = cmp.Or(refused, err)
		case <-timer.C:
			refused = cmp.Or[error](refused, jetstream.ErrAsyncPublishTimeout)
		}
	}
	seq := opSeq
send:
	for seq < have && refused == nil {
		raws, e := r.svc.OpsAfter(dev, seq, window, 1<<20)
		if e != nil || len(raws) == 0 {
			err = e
			break
		}
		for _, raw := range raws {
			if err = ctx.Err(); err != nil || refused != nil {
				break send
			}
			seq++
			m := nats.NewMsg(subject)
			m.Header.Set(headerSeq, strconv.FormatUint(seq, 10))
			m.Data = r.kr.sealOp(dev, seq, raw)
			expect := jetstream.WithExpectLastMsgID(msgID(dev, seq-1))
			if seq == opSeq+1 {
				expect = jetstream.WithExpectLastSequencePerSubject(last)
			}
			for len(inflight) >= window {
				take()
			}
			f, e := r.js.PublishMsgAsync(m, jetstream.WithMsgID(msgID(dev, seq)), expect)
			if e != nil {
				refused = e
				break send
			}
			inflight = append(inflight, f)
			r.sent++
			if r.afterPublish != nil {
				r.afterPublish(r.sent)
			}
		}
	}
	// What was sent is stored or refused whatever happens here: collect
	// the acknowledgements (each bounded by the timeout) so that the
	// count and the cursor are exact.
	for len(inflight) > 0 {
		take()
	}
	return refused, err
}

// msgID is the Nats-Msg-Id of operation seq of dev.
func msgID(dev app.DeviceID, seq uint64) string {
	return string(dev) + "/" + strconv.FormatUint(seq, 10)
}

// subjectLast returns the sequence number of the last operation of dev the
// stream holds and that message's stream sequence; 0, 0 when it holds
// none. The message must open: a subject ending in one that does not
// cannot be uploaded to (whoever put it there can write to the workspace's
// stream: its relay's operator, or a laptop of the workspace).
func (r *round) subjectLast(ctx context.Context, dev app.DeviceID) (opSeq, sseq uint64, err error) {
	subject := r.n.subject(dev)
	m, err := r.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	_, seq, _, err := r.openMsg(subject, m.Header, m.Data)
	if err != nil {
		r.refuse(subject, m.Sequence, err.Error())
		return 0, 0, fmt.Errorf("the relay's last message for this device (stream sequence %d): %v; not uploading after it", m.Sequence, err)
	}
	return seq, m.Sequence, nil
}
