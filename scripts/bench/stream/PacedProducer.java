// The paced load generator of the streaming benchmark (see paced_producer.ts, which starts it with
// `java -cp <broker jars> PacedProducer.java ...`, Java's single-file source launch).
//
// Reads keyed lines (key TAB value NEWLINE) from --file. First it warms the JVM up by sending the
// first --warmup lines to --warmup-topic; then it sends the first --rows lines to --topic at
// --rate records/s (each record sent when due, at most 1 ms early), flushes, and prints one JSON
// line: rows, seconds, events/s, and the process CPU µs per event of the paced phase (JIT and GC
// threads included). Idempotent producer, acks=all, linger.ms --linger-ms (default 5).
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class PacedProducer {
  /** Reads one keyed line; null at the end of the file. */
  static byte[][] next(InputStream in, ByteArrayOutputStream buf, long line) throws IOException {
    buf.reset();
    int tab = -1;
    for (int b = in.read(); ; b = in.read()) {
      if (b == -1) {
        if (buf.size() == 0) return null;
        throw new IOException("line " + line + " does not end with a newline");
      }
      if (b == '\n') break;
      if (b == '\t' && tab < 0) tab = buf.size();
      buf.write(b);
    }
    if (tab < 0) throw new IOException("line " + line + " has no tab");
    byte[] all = buf.toByteArray();
    return new byte[][] {java.util.Arrays.copyOfRange(all, 0, tab), java.util.Arrays.copyOfRange(all, tab + 1, all.length)};
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) a.put(argv[i], argv[i + 1]);
    for (String k : List.of("--bootstrap", "--topic", "--file", "--rows", "--rate", "--warmup-topic", "--warmup")) {
      if (!a.containsKey(k)) throw new IllegalArgumentException(k + " is required");
    }
    double rate = Double.parseDouble(a.get("--rate"));
    long rows = Long.parseLong(a.get("--rows"));
    long warmup = Long.parseLong(a.get("--warmup"));
    if (!(rate > 0)) throw new IllegalArgumentException("--rate must be > 0, got " + rate);
    if (rows < 1) throw new IllegalArgumentException("--rows must be >= 1, got " + rows);
    Properties p = new Properties();
    p.put("bootstrap.servers", a.get("--bootstrap"));
    p.put("acks", "all");
    p.put("linger.ms", a.getOrDefault("--linger-ms", "5"));
    p.put("enable.idempotence", "true");
    String warmupTopic = a.get("--warmup-topic");
    try (Admin admin = Admin.create(p)) {
      if (!admin.listTopics().names().get().contains(warmupTopic)) {
        admin.createTopics(Set.of(new NewTopic(warmupTopic, 1, (short) 1))).all().get();
      }
    }
    var bytes = new ByteArraySerializer();
    var buf = new ByteArrayOutputStream(1024);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, bytes, bytes)) {
      try (InputStream in = new BufferedInputStream(new FileInputStream(a.get("--file")), 1 << 20)) {
        for (long i = 0; i < warmup; i++) {
          byte[][] kv = next(in, buf, i);
          if (kv == null) break;
          producer.send(new ProducerRecord<>(warmupTopic, kv[0], kv[1]));
        }
      }
      producer.flush();
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      String topic = a.get("--topic");
      long sent = 0;
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      try (InputStream in = new BufferedInputStream(new FileInputStream(a.get("--file")), 1 << 20)) {
        for (; sent < rows; sent++) {
          byte[][] kv = next(in, buf, sent);
          if (kv == null) throw new IOException("--file holds " + sent + " lines, fewer than --rows " + rows);
          long wait = t0 + (long) (sent * 1e9 / rate) - System.nanoTime();
          if (wait > 1_000_000) Thread.sleep(wait / 1_000_000);
          producer.send(new ProducerRecord<>(topic, kv[0], kv[1]));
        }
      }
      producer.flush();
      double seconds = (System.nanoTime() - t0) / 1e9;
      long cpu = os.getProcessCpuTime() - cpu0;
      System.out.println(String.format(java.util.Locale.ROOT,
          "{\"rows\":%d,\"seconds\":%.3f,\"eventsPerSecond\":%.1f,\"producerCpuMicrosPerEvent\":%.3f}",
          sent, seconds, sent / seconds, cpu / 1e3 / sent));
    }
  }
}
