import './global-types.js'
import SchemaBuilder, { type FieldKind, RootFieldBuilder, type SchemaTypes } from '@pothos/core'
import { PortcullisPothosPlugin } from './plugin.js'

export { PortcullisPothosPlugin } from './plugin.js'
export type { ContextForAuth, PortcullisPothosOptions, PothosAuthOption } from './types.js'

/** The plugin's name: `new SchemaBuilder({ plugins: [PortcullisPlugin] })`. */
const pluginName = 'portcullis' as const

export default pluginName

// Pothos plugins register when their module is loaded; this module does nothing else at import time.
const fieldBuilder = RootFieldBuilder.prototype as PothosSchemaTypes.RootFieldBuilder<
  SchemaTypes,
  unknown,
  FieldKind
>
fieldBuilder.authenticatedField = function authenticatedField(options) {
  return this.field(options as never)
}

SchemaBuilder.registerPlugin(pluginName, PortcullisPothosPlugin)
