export type Channel = 'call' | 'email' | 'linkedin';

export interface CadenceStep {
  day: number;
  channel: Channel;
  template: string;
}

export interface Cadence {
  id: string;
  version: number;
  steps: CadenceStep[];
  /** At most this many touches within `windowDays`. */
  maxTouches: number;
  windowDays: number;
  onExhausted: 'nurturing' | 'archived';
}

/** The company's default: day 1 call, day 3 email, day 5 LinkedIn, day 8 call, day 10 email. */
export const DEFAULT_CADENCE: Cadence = {
  id: 'default',
  version: 1,
  steps: [
    { day: 1, channel: 'call', template: 'first-call' },
    { day: 3, channel: 'email', template: 'first-email' },
    { day: 5, channel: 'linkedin', template: 'linkedin-intro' },
    { day: 8, channel: 'call', template: 'follow-up-call' },
    { day: 10, channel: 'email', template: 'break-up-email' },
  ],
  maxTouches: 5,
  windowDays: 10,
  onExhausted: 'nurturing',
};
