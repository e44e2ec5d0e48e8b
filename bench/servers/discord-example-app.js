/* global process, console */
// The baseline: the interactions endpoint of Discord's official example app
// (https://github.com/discord/discord-example-app, app.js) reduced to what the benchmark sends —
// verifyKeyMiddleware on the route, PING → PONG, the `test` command → a components-v2 message.
// Plain JavaScript run with plain `node`, like the example. PUBLIC_KEY and PORT come from the env.
import express from 'express';
import { InteractionResponseFlags, InteractionResponseType, InteractionType, MessageComponentTypes, verifyKeyMiddleware } from 'discord-interactions';

const app = express();
const PORT = process.env.PORT || 3000;

// utils.js of the example
function getRandomEmoji() {
  const emojiList = ['😭', '😄', '😌', '🤓', '😎', '😤', '🤖', '😶‍🌫️', '🌏', '📸', '💿', '👋', '🌊', '✨'];
  return emojiList[Math.floor(Math.random() * emojiList.length)];
}

app.post('/interactions', verifyKeyMiddleware(process.env.PUBLIC_KEY), async function (req, res) {
  const { type, data } = req.body;

  if (type === InteractionType.PING) {
    return res.send({ type: InteractionResponseType.PONG });
  }

  if (type === InteractionType.APPLICATION_COMMAND) {
    const { name } = data;
    if (name === 'test') {
      return res.send({
        type: InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE,
        data: {
          flags: InteractionResponseFlags.IS_COMPONENTS_V2,
          components: [{ type: MessageComponentTypes.TEXT_DISPLAY, content: `hello world ${getRandomEmoji()}` }],
        },
      });
    }
    console.error(`unknown command: ${name}`);
    return res.status(400).json({ error: 'unknown command' });
  }

  console.error('unknown interaction type', type);
  return res.status(400).json({ error: 'unknown interaction type' });
});

const server = app.listen(PORT, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
