package relay

import (
	"context"
	"errors"
	"fmt"
	"strconv"

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

// uploadDevice publishes dev's operations after the stream's last up to
// have; published is called with each new message's stream sequence.
func (r *round) uploadDevice(ctx context.Context, dev app.DeviceID, have uint64, published func(sseq uint64)) error {
	subject := r.n.subject(dev)
	opSeq, last, err := r.subjectLast(ctx, dev)
	if err != nil {
		return err
	}
	stuck := 0 // re-reads of the subject's last that found no progress
	for opSeq < have {
		raws, err := r.svc.OpsAfter(dev, opSeq, 256, 1<<20)
		if err != nil {
			return err
		}
		if len(raws) == 0 {
			return nil
		}
		for _, raw := range raws {
			seq := opSeq + 1
			m := nats.NewMsg(subject)
			m.Header.Set(headerSeq, strconv.FormatUint(seq, 10))
			m.Data = r.kr.seal(dev, seq, raw)
			ack, err := r.js.PublishMsg(ctx, m,
				jetstream.WithMsgID(string(dev)+"/"+strconv.FormatUint(seq, 10)),
				jetstream.WithExpectLastSequencePerSubject(last))
			if err == nil && !ack.Duplicate {
				opSeq, last = seq, ack.Sequence
				r.res.Uploaded++
				published(ack.Sequence)
				if r.afterPublish != nil {
					r.afterPublish(r.res.Uploaded)
				}
				continue
			}
			if err != nil && !wrongLast(err) {
				return err
			}
			// Another laptop published this device's next operation
			// meanwhile: carry on after whatever the subject ends with.
			was := opSeq
			if opSeq, last, err = r.subjectLast(ctx, dev); err != nil {
				return err
			}
			if opSeq > was {
				stuck = 0
			} else if stuck++; stuck == 3 {
				return fmt.Errorf("the relay refuses operation %d after the subject's last, %d", seq, opSeq)
			}
			break
		}
	}
	return nil
}

// wrongLast reports whether err says the subject's last message is not the
// one the publish expected.
func wrongLast(err error) bool {
	c := apiCode(err)
	return c == jetstream.JSErrCodeStreamWrongLastSequence || c == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// subjectLast returns the sequence number of the last operation of dev the
// stream holds and that message's stream sequence; 0, 0 when it holds
// none. The message must open: a subject ending in one that does not
// cannot be uploaded to (whoever put it there can write to the relay).
func (r *round) subjectLast(ctx context.Context, dev app.DeviceID) (opSeq, sseq uint64, err error) {
	subject := r.n.subject(dev)
	m, err := r.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	seq, ok := parseSeq(m.Header.Get(headerSeq))
	if !ok {
		r.refuse(subject, m.Sequence, "no sequence header")
		return 0, 0, fmt.Errorf("the relay's last message for this device (stream sequence %d) is not one of Consulta's; not uploading after it", m.Sequence)
	}
	if _, err := r.kr.open(dev, seq, m.Data); err != nil {
		r.refuse(subject, m.Sequence, err.Error())
		return 0, 0, fmt.Errorf("the relay's last message for this device (stream sequence %d) %v; not uploading after it", m.Sequence, err)
	}
	return seq, m.Sequence, nil
}
