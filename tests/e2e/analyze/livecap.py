"""Driving a live `vigil analyze -i`: read its stderr as it comes, wait for a line instead
of sleeping a guessed time (a loaded machine or a sanitizer build starts slower), and stop
it with SIGINT once the traffic is done, so the run is as long as the test needs."""
import queue
import signal
import subprocess
import threading
import time


class LiveVigil:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self._q = queue.Queue()
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        for line in self.proc.stderr:
            self._q.put(line)
        self._q.put(None)

    def wait_for(self, text, timeout=60.0):
        """Block until a stderr line contains text; fail with what was seen otherwise."""
        deadline = time.monotonic() + timeout
        for line in self.lines:
            if text in line:
                return line
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                line = self._q.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"vigil never said {text!r}; stderr so far: {''.join(self.lines)[-2000:]}")

    def stop(self, timeout=60.0):
        """SIGINT (vigil flushes its flows and exits 0), then the whole stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=timeout)
        self._t.join(timeout=timeout)
        while True:
            try:
                line = self._q.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.lines.append(line)
        return "".join(self.lines)
