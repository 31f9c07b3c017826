import protobuf from 'protobufjs';

/**
 * The remote-write 1.0 messages (prometheus/prompb `WriteRequest`, `TimeSeries`, `Label`,
 * `Sample`), declared through protobufjs' reflection API; protobufjs generates the encoder and
 * decoder from this. Only the fields remote write 1.0 requires are declared: metadata and
 * exemplars are not sent.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});

const WriteRequestType = root.lookupType('prometheus.WriteRequest');
const TimeSeriesType = root.lookupType('prometheus.TimeSeries');

/** A label of a series. */
export interface WireLabel {
  name: string;
  value: string;
}

/** A sample on the wire: a float64 and a timestamp in ms. */
export interface WireSample {
  value: number;
  timestamp: number;
}

/** One series with its samples, oldest first; labels sorted by name, `__name__` among them. */
export interface WireSeries {
  labels: WireLabel[];
  samples: WireSample[];
}

/** Encodes a WriteRequest (before snappy). */
export function encodeWriteRequest(timeseries: WireSeries[]): Uint8Array {
  return WriteRequestType.encode({ timeseries }).finish();
}

/** Encodes a series' labels alone: the Label fields (1) of a TimeSeries, sorted as given. */
export function encodeLabels(labels: WireLabel[]): Uint8Array {
  return TimeSeriesType.encode({ labels }).finish();
}

/** Decodes a WriteRequest (after snappy): used by tests and test receivers. */
export function decodeWriteRequest(bytes: Uint8Array): WireSeries[] {
  const msg = WriteRequestType.toObject(WriteRequestType.decode(bytes), { longs: Number, defaults: true });
  return (msg.timeseries ?? []) as WireSeries[];
}
