/**
 * The chain's parameters: fees, the reward pot per round, and the scoring constants (named as upstream's
 * parameters, with upstream's default values).
 */

/** Parameters of the chain, fixed at genesis. */
export interface ChainParams {
  /** uallo a worker pays to register on a topic. */
  registrationFee: bigint;
  /** Smallest fee a tx must pay, in uallo (flat, whatever the gas). */
  txFeeMin: bigint;
  /** uallo minted for each scored round that has inferences, split among its workers. */
  rewardPerRound: bigint;
  /** EMA weight of the newest regret. */
  alphaRegret: number;
  /** EMA weight of the newest score. */
  meritSortitionAlpha: number;
  /** Sharpness p of the network-inference weight function. */
  pNorm: number;
  /** Offset c of the network-inference weight function. */
  cNorm: number;
  /** Sharpness p of the reward-fraction function. */
  pRewardInference: number;
  /** Offset c of the reward-fraction function. */
  cRewardInference: number;
  /** Small number that keeps normalisations finite; score spreads below it mean an equal split. */
  epsilon: number;
  /** Rounds of past scores used to scale the current ones. */
  maxSamplesToScaleScores: number;
}

/** Defaults of the optional parameters. */
export const DEFAULT_PARAMS = {
  // Non-zero so nothing is stored for free: every tx sender here pays gas x 0.1 uallo, several thousand.
  txFeeMin: 1000n,
  alphaRegret: 0.1,
  meritSortitionAlpha: 0.1,
  pNorm: 3,
  cNorm: 0.75,
  pRewardInference: 3,
  cRewardInference: 0.75,
  epsilon: 0.01,
  maxSamplesToScaleScores: 10,
} as const;

/** The parameters as JSON, with proto-style snake_case names and every number as a string. */
export function paramsToJson(params: ChainParams): Record<string, string> {
  return {
    registration_fee: params.registrationFee.toString(),
    tx_fee_min: params.txFeeMin.toString(),
    reward_per_round: params.rewardPerRound.toString(),
    alpha_regret: String(params.alphaRegret),
    merit_sortition_alpha: String(params.meritSortitionAlpha),
    p_norm: String(params.pNorm),
    c_norm: String(params.cNorm),
    p_reward_inference: String(params.pRewardInference),
    c_reward_inference: String(params.cRewardInference),
    epsilon: String(params.epsilon),
    max_samples_to_scale_scores: String(params.maxSamplesToScaleScores),
  };
}
