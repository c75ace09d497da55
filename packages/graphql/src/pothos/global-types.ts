import type {
  FieldKind,
  FieldNullability,
  FieldOptionsFromKind,
  FieldRef,
  InputFieldMap,
  InputShapeFromFields,
  Normalize,
  Resolver,
  RootName,
  SchemaTypes,
  ShapeFromTypeParam,
  TypeParam,
} from '@pothos/core'
import type { PortcullisPothosPlugin } from './plugin.js'
import type { ContextForAuth, PothosAuthOption } from './types.js'

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      portcullis: PortcullisPothosPlugin<Types>
    }

    export interface ObjectTypeOptions<Types extends SchemaTypes, Shape> {
      /** Every field of the type requires this (a field's own `auth` replaces it; scopes add up). */
      auth?: PothosAuthOption
      /** Scopes every field of the type requires. */
      scopes?: readonly string[]
    }

    export interface RootTypeOptions<Types extends SchemaTypes, Type extends RootName> {
      /** Every field of this root type requires this (a field's own `auth` replaces it; scopes add up). */
      auth?: PothosAuthOption
      /** Scopes every field of this root type requires. */
      scopes?: readonly string[]
    }

    export interface FieldOptions<
      Types extends SchemaTypes,
      ParentShape,
      Type extends TypeParam<Types>,
      Nullable extends FieldNullability<Type>,
      Args extends InputFieldMap,
      ResolveShape,
      ResolveReturnShape,
    > {
      /** Credentials this field requires: `'jwt' | 'project' | 'combined' | 'any'`, or a full policy. */
      auth?: PothosAuthOption
      /** Scopes this field requires, all of them (with no `auth`, a bearer token is implied). */
      scopes?: readonly string[]
    }

    export interface RootFieldBuilder<
      Types extends SchemaTypes,
      ParentShape,
      Kind extends FieldKind = FieldKind,
    > {
      /**
       * `t.field` with a required `auth`, whose `resolve` sees the context that policy guarantees
       * (`ctx.user` and `ctx.claims` defined for `'jwt'`, unless the policy is `optional`).
       */
      authenticatedField: <
        Type extends TypeParam<Types>,
        const Auth extends PothosAuthOption,
        ResolveShape,
        ResolveReturnShape,
        Nullable extends FieldNullability<Type> = Types['DefaultFieldNullability'],
        Args extends InputFieldMap = {},
      >(
        options: Normalize<
          Omit<
            FieldOptionsFromKind<
              Types,
              ParentShape,
              Type,
              Nullable,
              Args,
              Kind,
              ResolveShape,
              ResolveReturnShape
            >,
            'resolve' | 'auth'
          > & {
            auth: Auth
            resolve: Resolver<
              Kind extends 'Subscription' ? ResolveShape : ParentShape,
              InputShapeFromFields<Args>,
              Types['Context'] & ContextForAuth<Auth>,
              ShapeFromTypeParam<Types, Type, Nullable>,
              ResolveReturnShape
            >
          }
        >,
      ) => FieldRef<Types, ShapeFromTypeParam<Types, Type, Nullable>, Kind>
    }
  }
}
