package tail

import (
	"fmt"
	"syscall"
)

// Magic numbers (statfs f_type) of file systems whose changes made on
// another machine never reach inotify: a watch there would stay silent.
var remoteMagic = map[uint32]string{
	0x6969:     "nfs",
	0x517b:     "smb",
	0xfe534d42: "smb2",
	0xff534d42: "cifs",
	0x65735546: "fuse",
	0x01021997: "9p",
	0x00c36400: "ceph",
	0x5346414f: "afs",
	0x0bd00bd0: "lustre",
}

// remoteFS reports, as an error, that dir is on a network file system
// where fsnotify cannot see remote writes, so it must be polled.
func remoteFS(dir string) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return nil // unknown: trust the watch (the safety poll still runs)
	}
	if name, ok := remoteMagic[uint32(st.Type)]; ok {
		return fmt.Errorf("%s is on a %s file system, where notifications miss remote writes", dir, name)
	}
	return nil
}
