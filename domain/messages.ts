import { defineQuery } from '@temporalio/workflow';
import type { LeadState } from './lead-state';

/** Message names are part of the workflow's public contract: never rename them. */
export const getLeadState = defineQuery<LeadState>('getLeadState');
