//go:build !unix

package discovery

import (
	"errors"
	"net"
)

func listenShared() (net.PacketConn, error) {
	return nil, errors.New("unsolicited mDNS announcements are not supported on this system")
}
