package org.transformer4j.onnx.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;

/**
 * Builds one ONNX graph: nodes with fresh value names, initializers (weights and small constants, the latter
 * shared by content), and the declared inputs and outputs with their dynamic axes. The raw protobuf builders
 * of {@code ai.onnx.proto.OnnxMl} are used directly, so any standard operator can be emitted.
 */
final class OnnxGraph {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> constants = new HashMap<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private int counter;
    private long initializerBytes;

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A value name not used yet, starting with {@code hint}. */
    String fresh(String hint) {
        String n;
        do {
            n = hint + "_" + counter++;
        } while (!names.add(n));
        return n;
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("ONNX export: the graph value name '" + name + "' is used twice");
        }
    }

    /** Declares a graph input; each dim is an Integer (fixed) or a String (a named dynamic axis). */
    void input(String name, DType dtype, Object... dims) {
        claim(name);
        graph.addInput(valueInfo(name, dtype, dims));
    }

    /** Declares {@code value} as the graph output {@code name} (through an Identity node when the names differ). */
    void output(String name, String value, DType dtype, Object... dims) {
        if (!name.equals(value)) {
            claim(name);
            graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName("output_" + name)
                    .addInput(value).addOutput(name));
        }
        graph.addOutput(valueInfo(name, dtype, dims));
    }

    private static ValueInfoProto valueInfo(String name, DType dtype, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                dim.setDimValue(i);
            } else {
                dim.setDimParam((String) d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(elemType(dtype)).setShape(shape))).build();
    }

    static int elemType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> TensorProto.DataType.FLOAT_VALUE;
            case INT32 -> TensorProto.DataType.INT32_VALUE;
            case INT64 -> TensorProto.DataType.INT64_VALUE;
        };
    }

    /** Adds {@code value} as the initializer {@code name} (its data is laid out when the graph is built). */
    void initializer(String name, HostTensor value) {
        claim(name);
        initializers.add(new Initializer(name, value));
        initializerBytes += bytes(value);
    }

    private static long bytes(HostTensor value) {
        return (long) value.shape().size() * value.dtype().byteSize();
    }

    /** Bytes of all initializers' data. */
    long initializerBytes() {
        return initializerBytes;
    }

    /** An initializer: its name and value (kept until the graph is built, so its data is laid out only once). */
    private record Initializer(String name, HostTensor value) {
    }

    private static TensorProto.Builder header(Initializer init) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(init.name()).setDataType(elemType(init.value().dtype()));
        for (int d : init.value().shape().toArray()) {
            t.addDims(d);
        }
        return t;
    }

    /** The little-endian bytes of {@code value}. */
    static ByteBuffer littleEndian(HostTensor value) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(bytes(value))).order(ByteOrder.LITTLE_ENDIAN);
        switch (value.dtype()) {
            case FLOAT32 -> bytes.asFloatBuffer().put(value.floats());
            case INT32 -> bytes.asIntBuffer().put(value.ints());
            case INT64 -> bytes.asLongBuffer().put(value.longs());
        }
        return bytes;
    }

    /** A 1-D int64 constant (shared by content). */
    String ints(long... values) {
        return constant("ints" + Arrays.toString(values), "const_i64",
                () -> HostTensor.ofLongs(org.transformer4j.tensor.Shape.of(values.length), values.clone()));
    }

    /** A rank-0 int64 constant (shared by content). */
    String scalarLong(long value) {
        return constant("long " + value, "const_i64",
                () -> HostTensor.ofLongs(org.transformer4j.tensor.Shape.scalar(), new long[] {value}));
    }

    /** A rank-0 float32 constant (shared by content). */
    String scalarFloat(float value) {
        return constant("float " + Float.floatToRawIntBits(value), "const_f32",
                () -> HostTensor.ofFloats(org.transformer4j.tensor.Shape.scalar(), new float[] {value}));
    }

    private String constant(String key, String hint, java.util.function.Supplier<HostTensor> value) {
        String existing = constants.get(key);
        if (existing != null) {
            return existing;
        }
        String name = fresh(hint);
        names.remove(name);
        initializer(name, value.get());
        constants.put(key, name);
        return name;
    }

    /** Appends a node with one output and returns the output's name. */
    String node(String op, List<String> inputs, AttributeProto... attributes) {
        return nodeN(op, inputs, 1, attributes)[0];
    }

    /** Appends a node with {@code outputs} outputs and returns their names. */
    String[] nodeN(String op, List<String> inputs, int outputs, AttributeProto... attributes) {
        String[] out = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            out[i] = fresh(op.toLowerCase(java.util.Locale.ROOT));
        }
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(fresh("node_" + op));
        node.addAllInput(inputs);
        node.addAllOutput(Arrays.asList(out));
        for (AttributeProto a : attributes) {
            node.addAttribute(a);
        }
        graph.addNode(node);
        return out;
    }

    /** The finished graph, every initializer's data inside it ({@link #initializerBytes()} must fit protobuf's 2 GiB). */
    GraphProto build() {
        GraphProto.Builder g = graph.clone();
        for (Initializer init : initializers) {
            g.addInitializer(header(init).setRawData(ByteString.copyFrom(littleEndian(init.value()).array())));
        }
        return g.build();
    }

    /**
     * The finished graph with the data of every initializer of at least {@code minBytes} bytes in {@code data}
     * (ONNX external data: {@code data_location} EXTERNAL and {@code location}, {@code offset}, {@code length}
     * entries; each tensor starts at a multiple of {@link ExternalData#ALIGNMENT}); smaller ones stay inside.
     */
    GraphProto build(ExternalData data, long minBytes) {
        GraphProto.Builder g = graph.clone();
        for (Initializer init : initializers) {
            TensorProto.Builder t = header(init);
            if (bytes(init.value()) >= minBytes) {
                data.add(t, init.value());
            } else {
                t.setRawData(ByteString.copyFrom(littleEndian(init.value()).array()));
            }
            g.addInitializer(t);
        }
        return g.build();
    }

    /** Attribute helpers. */
    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto attrInts(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** Convenience for input lists. */
    static List<String> in(String... inputs) {
        return new ArrayList<>(Arrays.asList(inputs));
    }
}
