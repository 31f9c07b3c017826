/** The version of this package; plugins built against it are stamped with `^CORE_VERSION`. */
export const CORE_VERSION = '0.1.0';
