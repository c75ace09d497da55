export const PRESET_NAMES = [
  'generic',
  'mercury',
  'google',
  'entra',
  'duo',
  'auth0',
  'okta',
  'cognito',
] as const
export type PresetName = (typeof PRESET_NAMES)[number]
