// Evaluates a batch of JSONata expressions with the reference
// implementation and prints one JSON result per case.
// Input (stdin): [{"expr": "...", "input": <JSON text or null>, "bindings": {...}}]
// Output (stdout): [{"result": <JSON text>} | {"undefined": true} | {"code": "T2001"} | {"function": true}]
const jsonata = require(process.argv[2]);

function encode(v) {
  if (typeof v === 'function' || (v && (v._jsonata_lambda || v._jsonata_function))) {
    return { function: true };
  }
  if (typeof v === 'number' && !isFinite(v)) {
    return { nonfinite: String(v) };
  }
  return { result: JSON.stringify(v, (k, x) => (x && (x._jsonata_lambda || x._jsonata_function)) ? '<function>' : x) };
}

async function run() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const cases = JSON.parse(Buffer.concat(chunks).toString());
  const out = [];
  for (const c of cases) {
    try {
      const expr = jsonata(c.expr);
      // Give up after a second, as the jsonata-js test harness does.
      const t0 = Date.now();
      expr.assign(Symbol.for('jsonata.__evaluate_entry'), () => {
        if (Date.now() - t0 > 1000) throw { code: 'U1001' };
      });
      const input = c.input === null ? undefined : JSON.parse(c.input);
      const res = await expr.evaluate(input, c.bindings || {});
      out.push(res === undefined ? { undefined: true } : encode(res));
    } catch (e) {
      out.push({ code: e.code || ('JS:' + (e.message || String(e))), message: e.message, position: e.position });
    }
  }
  process.stdout.write(JSON.stringify(out));
}
run();
