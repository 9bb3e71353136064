// A real terminal for end-to-end TUI tests (toolchain.md §d): a private tmux server per session,
// CI forced off inside the pane (ink goes non-interactive under CI=true), remain-on-exit set in the
// same invocation so a fast exit keeps its last screen, and an `[exit=N]` marker for the status.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export const tmuxAvailable = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
export const TMUX_SKIP_REASON = 'tmux is not installed (apt-get install -y tmux)';

export interface TmuxStart {
  readonly command: string;
  readonly cwd: string;
  readonly columns?: number;
  readonly rows?: number;
  readonly env?: Readonly<Record<string, string>>;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class TmuxSession {
  readonly socket = `leash-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
  private started = false;

  private tmux(args: readonly string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  start(opts: TmuxStart): void {
    const env = { CI: 'false', TERM: 'xterm-256color', ...opts.env };
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const script = `cd ${shellQuote(opts.cwd)} && ${opts.command}; echo "[exit=$?]"`;
    this.tmux([
      'new-session', '-d', '-s', 'app', '-x', String(opts.columns ?? 100), '-y', String(opts.rows ?? 30), ...envArgs, script,
      ';', 'set-option', '-t', 'app', 'remain-on-exit', 'on',
    ]);
    this.started = true;
  }

  /** The visible screen as text (colour escapes with `escapes`). */
  screen(escapes = false): string {
    return this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'app']);
  }

  /**
   * Screen plus scrollback. When a pane dies under remain-on-exit, tmux 3.3a writes its "Pane is
   * dead" line and the screen can scroll by one, pushing a short program's first line into
   * history: read output of programs that have exited from here, not from screen().
   */
  transcript(): string {
    return this.tmux(['capture-pane', '-p', '-S', '-500', '-t', 'app']);
  }

  /** tmux key names (Down, Enter, Escape, Tab, BSpace) or, with literal, text typed as-is. */
  send(keys: string, literal = false): void {
    this.tmux(['send-keys', '-t', 'app', ...(literal ? ['-l'] : []), keys]);
  }

  async waitFor(expected: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.screen();
      if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${String(expected)}; last screen:\n${last}`);
  }

  async waitForExit(timeoutMs = 15_000): Promise<number> {
    const screen = await this.waitFor(/\[exit=\d+\]/, timeoutMs);
    return Number(/\[exit=(\d+)\]/.exec(screen)![1]);
  }

  kill(): void {
    if (!this.started) return;
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
    // kill-server leaves the socket file behind.
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
    this.started = false;
  }
}
