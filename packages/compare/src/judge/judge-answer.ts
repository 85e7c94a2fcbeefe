import { generateText, Output } from 'ai';
import { z } from 'zod';
import type { CompareJudge } from './compare-judge.ts';
import { JUDGE_MAX_OUTPUT_TOKENS } from './compare-judge.ts';

/** What the judge must answer: a whole score from 1 to 10 and one sentence. */
export const judgeAnswerSchema = z.object({
  score: z
    .number()
    .int()
    .min(1)
    .max(10)
    .describe('How well the edited picture follows the instruction, 1 to 10'),
  reason: z.string().min(1).max(400).describe('One sentence saying why'),
});

/** A parsed answer of the judge. */
export type JudgeAnswer = z.infer<typeof judgeAnswerSchema>;

const INSTRUCTION =
  'You judge image edits. The first picture is the original, the second is the edited result. ' +
  'Score from 1 to 10 how well the edit follows the instruction while keeping what it did not ask to change, ' +
  'and give one sentence of reason.';

/** Asks the judge about one output; returns its answer and the tokens it used. */
export async function askJudge(options: {
  judge: CompareJudge;
  prompt: string;
  input: { bytes: Uint8Array; mediaType: string };
  output: { bytes: Uint8Array; mediaType: string };
  signal?: AbortSignal;
}): Promise<{ answer: JudgeAnswer; inputTokens: number; outputTokens: number }> {
  // Structured output through generateText, which the AI SDK now recommends over generateObject.
  const result = await generateText({
    model: options.judge.model,
    output: Output.object({ schema: judgeAnswerSchema, name: 'edit_judgement' }),
    maxOutputTokens: JUDGE_MAX_OUTPUT_TOKENS,
    instructions: INSTRUCTION,
    ...(options.signal ? { abortSignal: options.signal } : {}),
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: `Instruction: ${options.prompt}` },
          { type: 'file', data: options.input.bytes, mediaType: options.input.mediaType },
          { type: 'file', data: options.output.bytes, mediaType: options.output.mediaType },
        ],
      },
    ],
  });
  return {
    answer: result.output,
    inputTokens: result.usage.inputTokens ?? 0,
    outputTokens: result.usage.outputTokens ?? 0,
  };
}
