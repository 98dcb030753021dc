// Node's own: the seed's echo, net.createServer(c => c.pipe(c)).
// Usage: node node_echo.cjs   (prints the port, serves until SIGTERM)
const net = require('node:net');
const server = net.createServer((c) => c.pipe(c));
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
