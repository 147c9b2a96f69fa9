import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed search attributes that make every lead filterable in the Temporal Web UI. */
export const LEAD_ID = defineSearchAttributeKey('LeadId', SearchAttributeType.KEYWORD);
export const LEAD_STAGE = defineSearchAttributeKey('LeadStage', SearchAttributeType.KEYWORD);
export const LEAD_OWNER = defineSearchAttributeKey('LeadOwner', SearchAttributeType.KEYWORD);
export const LEAD_COUNTRY = defineSearchAttributeKey('LeadCountry', SearchAttributeType.KEYWORD);
export const LEAD_COURSE = defineSearchAttributeKey('LeadCourse', SearchAttributeType.KEYWORD);
export const LEAD_SOURCE = defineSearchAttributeKey('LeadSource', SearchAttributeType.KEYWORD);
export const LEAD_NEXT_TOUCH_AT = defineSearchAttributeKey('LeadNextTouchAt', SearchAttributeType.DATETIME);

export const LEAD_SEARCH_ATTRIBUTES = [
  LEAD_ID, LEAD_STAGE, LEAD_OWNER, LEAD_COUNTRY, LEAD_COURSE, LEAD_SOURCE, LEAD_NEXT_TOUCH_AT,
] as const;
