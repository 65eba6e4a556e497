package prometheustest

import "syscall"

// sysProcAttr puts the server in its own process group, so Stop reaches
// anything it starts, and has the kernel kill it if the test binary dies
// without running its cleanups.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func signalGroup(pid int, sig syscall.Signal) {
	syscall.Kill(-pid, sig)
}
