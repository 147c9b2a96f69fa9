import { spawnSync } from 'node:child_process';

/**
 * Each raw mail's Message-ID as Python's `email` package reads it with its default (RFC 5322) policy,
 * and the defects it found in that header: a standard parser, not ours.
 */
export function pythonMessageIds(raws: string[]): { id: string; defects: string[] }[] {
  const script = [
    'import sys, json, email, email.policy',
    'out = []',
    'for raw in json.load(sys.stdin):',
    '    msg = email.message_from_string(raw, policy=email.policy.default)',
    "    header = msg['Message-ID']",
    // Long ids are folded onto their own line (legal CFWS before the msg-id); unfolded, that is a space.
    "    out.append({'id': str(header).strip(), 'defects': [type(d).__name__ for d in header.defects]})",
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(raws), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
