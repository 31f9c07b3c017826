/// <reference path="../types/net-snmp.d.ts" />
// The declarations of net-snmp live in types/ (published with the package, see there); this
// reference brings them into every program that compiles these sources (tsc -b, tests).
