import { MODULE_RULES } from './fields';
import { fullName, type SandboxOrg, type SandboxUser } from './org';
import type { SandboxModule } from './store';

/**
 * The org's metadata as Zoho answers it: GET /crm/v8/settings/fields?module=… (fields.json) and
 * GET /crm/v8/users?type=… (users.json). fields.json marks seventy-odd keys of a field required;
 * the sandbox answers them all, most with the neutral values Zoho gives an ordinary stock field,
 * so a client that reads the real answer reads this one.
 */

const MODULE_SERIAL: Record<SandboxModule, number> = { Leads: 1, Tasks: 2, Calls: 3, Notes: 4, Contacts: 5, Accounts: 6 };
const STAMP = '2024-01-15T10:00:00+00:00';
const MINIFIED_MODULE = (module: string) => ({ api_name: module, id: `631018000000000${String(MODULE_SERIAL[module as SandboxModule] ?? 9).padStart(4, '0')}` });

function dataTypeOf(field: string, kind: string, picklist: boolean): string {
  if (picklist) return 'picklist';
  switch (kind) {
    case 'text':
      return field === 'Description' || field === 'Note_Content' ? 'textarea' : 'text';
    case 'email':
    case 'boolean':
    case 'date':
    case 'datetime':
      return kind;
    case 'duration':
    case 'se_module':
      return 'text';
    case 'user':
      return 'ownerlookup';
    default:
      // What_Id, Who_Id, Parent_Id
      return 'lookup';
  }
}

function fieldOf(module: SandboxModule, apiName: string, kind: string, max: number | undefined, org: SandboxOrg, index: number) {
  const values = org.picklists[module]?.[apiName];
  const mandatory = MODULE_RULES[module].mandatory.includes(apiName);
  const id = `63101800000${String(MODULE_SERIAL[module]).padStart(2, '0')}${String(index + 1).padStart(6, '0')}`;
  return {
    associated_module: MINIFIED_MODULE(module),
    data_type: dataTypeOf(apiName, kind, values !== undefined),
    operation_type: { web_update: true, api_create: true, web_create: true, api_update: true },
    system_mandatory: mandatory,
    webhook: true,
    blueprint_supported: false,
    virtual_field: false,
    field_read_only: false,
    customizable_properties: [],
    read_only: false,
    custom_field: false,
    businesscard_supported: true,
    filterable: true,
    visible: true,
    available_in_user_layout: true,
    display_field: apiName === 'Last_Name' || apiName === 'Subject',
    pick_list_values_sorted_lexically: false,
    sortable: true,
    layout_associations: [{ api_name: 'Standard__s', name: 'Standard', id: `6310180000000091${String(MODULE_SERIAL[module]).padStart(3, '0')}` }],
    separator: false,
    searchable: true,
    enable_colour_code: false,
    mass_update: true,
    json_type: kind === 'boolean' ? 'boolean' : kind === 'user' || kind === 'related' || kind === 'parent' ? 'jsonobject' : 'string',
    created_source: 'default',
    type: 'used',
    display_label: apiName.replace(/_/g, ' '),
    column_name: apiName.toUpperCase(),
    api_name: apiName,
    display_type: -1,
    ui_type: values ? 2 : 1,
    colour_code_enabled_by_system: false,
    length: max ?? (values ? 120 : 255),
    decimal_place: null,
    quick_sequence_number: String(index + 1),
    email_parser: { fields_update_supported: false, record_operations_supported: false },
    rollup_summary: null,
    refer_from_field: { id: null, api_name: null },
    created_time: null,
    modified_time: STAMP,
    show_type: 7,
    category: 0,
    id,
    multi_module_lookup: null,
    sharing_properties: {},
    currency: null,
    file_upolad_optionlist: [],
    lookup: null,
    profiles: [{ name: 'Administrator', id: '6310180000000026011', permission_type: 'read_write' }],
    view_type: { view: true, edit: true, quick_create: mandatory, create: true },
    unique: null,
    sub_module: {},
    subform: null,
    external: { show: false, type: null },
    formula: null,
    private: { restricted: false, type: null, export: false },
    convert_mapping: {},
    multiselectlookup: null,
    multiuserlookup: { display_label: null, linking_module: {}, connected_module: {}, lookup_apiname: null, api_name: null, connectedfield_apiname: null, connectedlookup_apiname: null, id: null, record_access: null },
    autonumber: { starting_number_length: 0, prefix: null, suffix: null, start_number: null },
    auto_number: null,
    pick_list_values: (values ?? []).map((v, i) => ({
      colour_code: null,
      actual_value: v.actual_value,
      type: 'used' as const,
      id: `${id}${String(i + 1).padStart(3, '0')}`.slice(-19),
      sequence_number: i + 1,
      display_value: v.display_value,
      reference_value: v.display_value,
    })),
    crypt: { mode: null, status: null },
    tooltip: { name: '', value: '' },
    history_tracking: { module: {}, duration_configured_field: {} },
    association_details: { related_field: {}, lookup_field: {} },
    allowed_modules: [],
    additional_column: null,
    field_label: apiName.replace(/_/g, ' '),
    'common.picklist': null,
    hipaa_compliance_enabled: false,
    hipaa_compliance: { restricted_in_export: false, restricted: false },
    _update_existing_records: false,
    number_separator: false,
    textarea: { type: 'large' },
    static_field: false,
  };
}

/** Every field the sandbox knows in the module, in Zoho's shape, with the org's picklists. */
export function fieldsMetadata(module: SandboxModule, org: SandboxOrg) {
  const fields = Object.entries(MODULE_RULES[module].fields).filter(([apiName]) => !apiName.startsWith('$'));
  return fields.map(([apiName, rule], index) => fieldOf(module, apiName, rule.kind, rule.kind === 'text' ? rule.max : undefined, org, index));
}

export type UserType = 'AllUsers' | 'ActiveUsers' | 'DeactiveUsers' | 'CurrentUser' | 'ActiveConfirmedUsers' | 'ConfirmedUsers' | 'NotConfirmedUsers';
export const USER_TYPES: readonly UserType[] = ['AllUsers', 'ActiveUsers', 'DeactiveUsers', 'CurrentUser', 'ActiveConfirmedUsers', 'ConfirmedUsers', 'NotConfirmedUsers'];

export function usersOfType(org: SandboxOrg, type: UserType, currentUserId: string): SandboxUser[] {
  switch (type) {
    case 'ActiveUsers':
    case 'ActiveConfirmedUsers':
      return org.users.filter((u) => u.status === 'active');
    case 'DeactiveUsers':
      return org.users.filter((u) => u.status !== 'active');
    case 'CurrentUser':
      return org.users.filter((u) => u.id === currentUserId);
    case 'NotConfirmedUsers':
      return [];
    default:
      return org.users;
  }
}

/** One user as users.json's `users` schema has it (only the keys worth having; the schema requires none). */
export function userRecord(user: SandboxUser, admin: SandboxUser) {
  return {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    full_name: fullName(user),
    email: user.email,
    status: user.status,
    confirm: true,
    language: 'es_ES',
    locale: 'es_CO',
    country_locale: 'es_CO',
    time_format: 'HH:mm' as const,
    offset: -18000000,
    time_zone: null,
    country: 'CO',
    role: { name: user.id === admin.id ? 'CEO' : 'Manager', id: '6310180000000026005' },
    profile: { name: user.id === admin.id ? 'Administrator' : 'Standard', id: user.id === admin.id ? '6310180000000026011' : '6310180000000026014' },
    created_by: { name: fullName(admin), id: admin.id, email: admin.email },
    Modified_By: { name: fullName(admin), id: admin.id, first_name: admin.first_name, last_name: admin.last_name },
    created_time: STAMP,
    Modified_Time: STAMP,
    category: 'regular_user',
    Isonline: false,
    microsoft: false,
    personal_account: false,
    sandboxDeveloper: false,
  };
}
