/** True when X and Y are the same type (readonly and optional modifiers included), else false. */
export type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
