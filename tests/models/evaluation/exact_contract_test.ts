import { evaluationContract } from "./evaluation_contract.ts";

evaluationContract({
  name: "exact",
  options: {},
  tolerance: { rank: 1e-9, probability: 1e-9, counts: 0 },
  sameThresholds: true,
});
