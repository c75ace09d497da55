import { mercuryPreset } from './mercury.js'
import type { PresetName } from './names.js'
import {
  auth0Preset,
  cognitoPreset,
  duoPreset,
  entraPreset,
  genericPreset,
  googlePreset,
  oktaPreset,
} from './oidc-presets.js'
import type { Preset } from './types.js'

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  generic: genericPreset,
  mercury: mercuryPreset,
  google: googlePreset,
  entra: entraPreset,
  duo: duoPreset,
  auth0: auth0Preset,
  okta: oktaPreset,
  cognito: cognitoPreset,
}
