package app

// RoomReporter is a Store that can tell, before anything is written,
// whether its disk has the room a write needs (storage measures the free
// space of its file system).
type RoomReporter interface {
	// Room returns nil when a write may go ahead, or an error of kind
	// DiskFull that says what is free and what is needed. A store opened
	// read-only on a full disk opens for writing here once the space is
	// back.
	Room() error
	// ReadOnly reports whether the store is open read-only for want of
	// space.
	ReadOnly() bool
}

// Room reports whether this laptop's store can write now: nil, or an error
// of kind DiskFull naming the free space needed. Writes check it
// themselves; the ui asks to say so before anyone types, and sync to stop
// receiving while the disk is short. A store that cannot tell answers nil.
func (s *Service) Room() error {
	if r, ok := s.store.(RoomReporter); ok {
		return r.Room()
	}
	return nil
}

// ReadOnly reports whether the store was opened read-only because its disk
// was full, and has not found the room to write since.
func (s *Service) ReadOnly() bool {
	if r, ok := s.store.(RoomReporter); ok {
		return r.ReadOnly()
	}
	return false
}
