from bot.cli import command

command()
