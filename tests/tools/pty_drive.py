#!/usr/bin/env python3
"""pty_drive.py ROWS COLS COMMAND [ARG...]: runs COMMAND on a new pty of
ROWS x COLS (its controlling terminal), reading steps from stdin, one a line:

  send TEXT        writes TEXT (Python escapes: \\r, \\x10) to the pty
  expect REGEX     waits (10 s) until the output so far matches REGEX
  resize R C       sets the pty's size (COMMAND gets SIGWINCH)
  mode             prints "mode raw" or "mode cooked" (the pty's ICANON/ECHO)
  sleep SECONDS
  signal NAME      sends the signal to COMMAND
  end              waits (10 s) for COMMAND to exit

All COMMAND's output goes to stdout after the steps, then "exit N" (N: its
exit code, or 128+signal) and the pty's final mode.  A failed expect exits 3
with the output on stderr.  For the attach tests (tests/integration)."""
import fcntl, os, pty, re, select, signal, struct, sys, termios, time

def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

def mode(fd):
    lflag = termios.tcgetattr(fd)[3]
    return "cooked" if lflag & (termios.ICANON | termios.ECHO) else "raw"

def main():
    rows, cols, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    set_size(master, rows, cols)
    out = b""
    status = None

    def pump(timeout):
        nonlocal out
        r, _, _ = select.select([master], [], [], timeout)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            out += data
            return bool(data)
        return True

    for line in sys.stdin:
        step, _, arg = line.rstrip("\n").partition(" ")
        if step == "send":
            os.write(master, arg.encode().decode("unicode_escape").encode("latin-1"))
        elif step == "expect":
            deadline = time.time() + 10
            while not re.search(arg.encode(), out):
                if time.time() > deadline or not pump(0.1):
                    sys.stderr.write("expect %r failed; output: %r\n" % (arg, out))
                    os.kill(pid, signal.SIGKILL)
                    sys.exit(3)
        elif step == "resize":
            r, c = arg.split()
            set_size(master, int(r), int(c))
            os.kill(pid, signal.SIGWINCH)
        elif step == "mode":
            print("mode", mode(master), flush=True)
        elif step == "sleep":
            end = time.time() + float(arg)
            while time.time() < end:
                pump(0.05)
        elif step == "signal":
            os.kill(pid, getattr(signal, arg))
        elif step == "end":
            deadline = time.time() + 10
            while status is None and time.time() < deadline:
                pump(0.05)
                p, st = os.waitpid(pid, os.WNOHANG)
                if p:
                    status = st
    final_mode = mode(master)
    deadline = time.time() + 10
    while status is None and time.time() < deadline:
        pump(0.05)
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            status = st
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    while True:
        r, _, _ = select.select([master], [], [], 0)
        if not r:
            break
        try:
            d = os.read(master, 65536)
        except OSError:
            break
        if not d:
            break
        out += d
    sys.stdout.write(out.decode("utf-8", "replace"))
    code = os.waitstatus_to_exitcode(status)
    print("\nexit", code if code >= 0 else 128 - code)
    print("final-mode", final_mode)

main()
